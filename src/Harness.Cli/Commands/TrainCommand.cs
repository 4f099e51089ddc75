using System.ComponentModel;
using Harness.Config;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class TrainSettings : TorchSettings
{
    [CommandArgument(0, "<CONFIG>")]
    [Description("Train config JSON, e.g. experiments/teacher-tiny.json.")]
    public string Config { get; init; } = "";

    [CommandOption("--out <DIR>")]
    [Description("Checkpoint folder to write (overrides the config's \"output\"). Refuses a folder that already holds a finished checkpoint.")]
    public string? Out { get; init; }

    [CommandOption("--set <KEY=VALUE>")]
    [Description("Override a config value (dotted snake_case path, JSON value), e.g. --set training.learning_rate=1e-3; repeatable; validated like the file and stored in the checkpoint's train_config.")]
    public string[] Set { get; init; } = [];

    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json: the result as one JSON document on standard output; messages go to standard error.")]
    public string? Format { get; init; }

}

[Description("Train one GPT on the configured corpus; writes a checkpoint (safetensors + config.json), metrics.csv and test.csv.")]
public sealed class TrainCommand : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellation)
    {
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        var path = RepositoryPaths.ResolveInput(settings.Config);
        if (!File.Exists(path)) JsonConfigReader.ReadFile<TrainRunConfig>(path);
        var json = ConfigOverrides.Apply(File.ReadAllText(path), settings.Set, path);
        var config = JsonConfigReader.Read<TrainRunConfig>(json, settings.Set.Length == 0 ? path : $"{path} with --set {string.Join(" ", settings.Set)}");
        if (settings.Out is not null) config = config with { Output = RepositoryPaths.Resolve(settings.Out) };
        var output = Path.IsPathRooted(config.Output) ? config.Output : Path.Combine(RepositoryPaths.Root, config.Output);
        if (File.Exists(Path.Combine(output, Harness.Modeling.Checkpoint.ConfigFile)) && !File.Exists(Path.Combine(output, ".resume", "resume.json")))
            throw new UserInputException($"train: {output} already holds a finished checkpoint; nothing was run.",
                [$"{(settings.Out is null ? $"{path}: $.output" : "--out")}: choose a new folder (e.g. --out models/my-teacher), or delete the old checkpoint first."]);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        AnsiConsole.MarkupLine($"[bold]harness train[/] {Markup.Escape(config.Name)} on {DeviceSelector.Describe(device)} → {Markup.Escape(output)}");
        TrainRunResult? result = null;
        ProgressDisplay.Run("train", (status, progress) =>
            result = TrainRun.Execute(config, json, RepositoryPaths.Root, device, status, progress, cancellation), Output.Interactive && format == OutputFormat.Table);
        var r = result!;
        if (format == OutputFormat.Json)
        {
            Output.WriteJson(new
            {
                Checkpoint = r.CheckpointDirectory, ParamsTotal = Harness.Modeling.ModelMath.TotalParams(r.Model), ParamsNonEmbedding = Harness.Modeling.ModelMath.NonEmbeddingParams(r.Model),
                r.Training.Tokens, r.Training.Steps, FlopsStudentTrain = r.TrainingFlops, ValLoss = r.Training.Curve[^1].ValLoss, ValBpb = r.Training.Curve[^1].ValBitsPerByte,
                TestLoss = r.Test.NatsPerToken, TestBpb = r.Test.BitsPerByte, r.Training.WallSeconds, r.Training.TokensPerSecond,
            });
            return 0;
        }
        var table = new Table().AddColumns("", "value");
        table.AddRow("checkpoint", Markup.Escape(r.CheckpointDirectory));
        table.AddRow("parameters (total / non-embedding)", $"{Harness.Modeling.ModelMath.TotalParams(r.Model):N0} / {Harness.Modeling.ModelMath.NonEmbeddingParams(r.Model):N0}");
        table.AddRow("tokens / steps", $"{r.Training.Tokens:N0} / {r.Training.Steps:N0}");
        table.AddRow("training FLOPs", r.TrainingFlops.ToString("E3"));
        table.AddRow("validation loss (nats/token)", r.Training.Curve[^1].ValLoss.ToString("F4"));
        table.AddRow("validation bits per byte", r.Training.Curve[^1].ValBitsPerByte.ToString("F4"));
        table.AddRow("test loss / bits per byte", $"{r.Test.NatsPerToken:F4} / {r.Test.BitsPerByte:F4}");
        table.AddRow("wall time", $"{r.Training.WallSeconds:F1} s ({r.Training.TokensPerSecond:N0} tokens/s)");
        AnsiConsole.Write(table);
        return 0;
    }
}
