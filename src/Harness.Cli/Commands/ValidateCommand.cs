using System.ComponentModel;
using System.Text.Json;
using Harness.Config;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class ValidateSettings : CommandSettings
{
    [CommandArgument(0, "<CONFIG>")]
    [Description("Train or experiment config JSON to check (the kind is detected from its keys).")]
    public string Config { get; init; } = "";
}

[Description("Check a config without running it: every problem at once, with file, JSON path, value and rule; exit 2 if any.")]
public sealed class ValidateCommand : Command<ValidateSettings>
{
    public override int Execute(CommandContext context, ValidateSettings settings, CancellationToken cancellation)
    {
        var path = RepositoryPaths.ResolveInput(settings.Config);
        bool isExperiment = LooksLikeExperiment(path);
        if (isExperiment) CheckRunnable(Harness.Pipelines.ExperimentValidator.ReadFile(path, RepositoryPaths.Root), path);
        else JsonConfigReader.ReadFile<TrainRunConfig>(path);
        AnsiConsole.MarkupLine($"[green]ok[/]: {Markup.Escape(path)} is a valid {(isExperiment ? "experiment" : "train")} config.");
        return 0;
    }

    /// <summary>What can be checked without preparing data: the teacher's shape (when its checkpoint exists) and memory.</summary>
    static void CheckRunnable(ExperimentConfig config, string path)
    {
        var tok = config.Data.TokenizerOrDefault;
        int vocab = Harness.Data.TokenizerLoader.VocabSize(tok);
        Harness.Config.GptConfig? teacher = null;
        if (config.Teacher.Checkpoint is { } checkpoint)
        {
            var dir = RepositoryPaths.Resolve(checkpoint);
            if (File.Exists(Path.Combine(dir, Harness.Modeling.Checkpoint.ConfigFile))) teacher = Harness.Modeling.Checkpoint.ReadInfo(dir).Model;
        }
        var units = Harness.Sweep.SweepPlan.Expand(config, vocab, "validate", "validate");
        // The device is not known here: a size that fits no single device (this machine's memory or the largest GPU,
        // 141 GiB) is an error; one that only exceeds this machine's memory is a note (`run` checks the real device).
        long ram = Harness.Sweep.MemoryEstimate.Available(TorchSharp.torch.CPU) ?? long.MaxValue;
        // Repetition: exact where the corpus's token store is prepared, else a bound (embedded) or a note (files).
        var unique = Harness.Data.UniqueTokens.WithoutPreparing(config.Data, Path.Combine(RepositoryPaths.Root, ".cache", "data"));
        if (unique is null)
            AnsiConsole.MarkupLine($"[yellow]note:[/] epochs per budget are checked once the corpus is prepared: `harness data prepare {Markup.Escape(path)}` (or `run` checks them before training).");
        var problems = Harness.Sweep.SweepPreflight.Problems(config, units, null, teacher, vocab, Math.Max(ram, LargestDeviceBytes), unique).Select(p => $"{path}: {p}").ToList();
        if (problems.Count > 0) throw new UserInputException($"{path}: the experiment cannot run as configured.", problems);
        foreach (var note in Harness.Sweep.SweepPreflight.Problems(config, units, null, teacher, vocab, ram).Where(p => p.Contains("of memory")))
            AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)} (fine on a GPU with enough memory: `run --device cuda`)");
    }

    const long LargestDeviceBytes = 141L << 30;

    internal static bool LooksLikeExperiment(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return doc.RootElement.ValueKind == JsonValueKind.Object && (doc.RootElement.TryGetProperty("students", out _) || doc.RootElement.TryGetProperty("budgets", out _));
        }
        catch (Exception e) when (e is JsonException or IOException) { return false; }
    }
}
