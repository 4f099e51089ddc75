using System.ComponentModel;
using System.Globalization;
using Harness.Config;
using Harness.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class DataSettings : CommandSettings
{
    [CommandArgument(0, "<CONFIG|DIR>")]
    [Description("Train or experiment config JSON (its \"data\" section), or (inspect only) a token store folder under .cache/data/store/.")]
    public string Target { get; init; } = "";

    [CommandOption("--set <KEY=VALUE>")]
    [Description("Override a config value (dotted snake_case path, JSON value), e.g. --set data.corpus=data/my/*.jsonl; repeatable.")]
    public string[] Set { get; init; } = [];
}

/// <summary>Shared by the two data commands: the config's data section and the cache it prepares into.</summary>
static class DataCommandSupport
{
    public static string Cache => Path.Combine(RepositoryPaths.Root, ".cache", "data");

    public static DataSpec ReadSpec(DataSettings settings)
    {
        var path = RepositoryPaths.ResolveInput(settings.Target);
        if (!File.Exists(path)) JsonConfigReader.ReadFile<TrainRunConfig>(path);
        var json = ConfigOverrides.Apply(File.ReadAllText(path), settings.Set, path);
        var source = settings.Set.Length == 0 ? path : $"{path} with --set {string.Join(" ", settings.Set)}";
        return ValidateCommand.LooksLikeExperiment(path) ? JsonConfigReader.Read<ExperimentConfig>(json, source).Data : JsonConfigReader.Read<TrainRunConfig>(json, source).Data;
    }

    /// <summary>A file corpus without a data mix is summarised from its token store, never loading the tokens, so
    /// `data prepare` holds only its encoding batches; the embedded corpus and mixes are prepared in memory as `run` does.</summary>
    public static DataSummary Summary(DataSpec spec, IProgress<string>? progress)
    {
        bool mixed = spec.Mix is { } mix && mix.KnowledgeFraction + mix.ArithmeticFraction > 0;
        if (!spec.CorpusOrDefault.IsEmbedded && !mixed)
        {
            var (directory, _, tokenizer, _) = TokenStore.Build(spec, Cache, progress);
            return DataInspection.OfStore(directory, tokenizer);
        }
        return DataInspection.Of(Harness.Data.Mixes.TrainingMixBuilder.Prepare(spec, RepositoryPaths.Root, progress), spec);
    }

    public static void Print(DataSummary summary)
    {
        AnsiConsole.MarkupLine($"corpus     {Markup.Escape(summary.Corpus)} (hash {summary.CorpusHash[..12]})");
        AnsiConsole.MarkupLine($"tokenizer  {summary.TokenizerKind}, vocabulary {summary.VocabSize:N0} (hash {summary.TokenizerHash[..12]})");
        if (summary.StoreDirectory is { } store) AnsiConsole.MarkupLine($"store      {Markup.Escape(store)}");
        var table = new Table().AddColumns("split", "documents", "tokens", "UTF-8 bytes", "bytes/token");
        foreach (var s in summary.Splits)
            table.AddRow(s.Name, s.Documents.ToString("N0", CultureInfo.InvariantCulture), s.Tokens.ToString("N0", CultureInfo.InvariantCulture),
                         s.Utf8Bytes.ToString("N0", CultureInfo.InvariantCulture), s.BytesPerToken.ToString("F2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"sample (first {DataInspection.SampleTokens} train tokens, decoded):");
        AnsiConsole.WriteLine(summary.Sample);
    }
}

[Description("Tokenize the config's corpus into the token store (streamed, parallel, resumable) and print what it holds.")]
public sealed class DataPrepareCommand : Command<DataSettings>
{
    public override int Execute(CommandContext context, DataSettings settings, CancellationToken cancellation)
    {
        var spec = DataCommandSupport.ReadSpec(settings);
        var progress = new Harness.IO.CallbackProgress<string>(line => AnsiConsole.MarkupLine(Markup.Escape(line)));
        DataCommandSupport.Print(DataCommandSupport.Summary(spec, progress));
        return 0;
    }
}

[Description("Show a prepared corpus: tokens and documents per split, bytes per token, the tokenizer and a decoded sample.")]
public sealed class DataInspectCommand : Command<DataSettings>
{
    public override int Execute(CommandContext context, DataSettings settings, CancellationToken cancellation)
    {
        var target = RepositoryPaths.ResolveInput(settings.Target);
        if (Directory.Exists(target))
        {
            DataCommandSupport.Print(DataInspection.OfStore(target));
            return 0;
        }
        DataCommandSupport.Print(DataCommandSupport.Summary(DataCommandSupport.ReadSpec(settings), null));
        return 0;
    }
}

