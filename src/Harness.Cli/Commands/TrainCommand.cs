using System.ComponentModel;
using Harness.Config;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class TrainSettings : TorchSettings
{
    [CommandArgument(0, "<CONFIG>")]
    [Description("Train config JSON, e.g. experiments/teacher-tiny.json.")]
    public string Config { get; init; } = "";


}

[Description("Train one GPT on the configured corpus; writes a checkpoint (safetensors + config.json), metrics.csv and test.csv.")]
public sealed class TrainCommand : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellation)
    {
        var path = RepositoryPaths.ResolveInput(settings.Config);
        var config = JsonConfigReader.ReadFile<TrainRunConfig>(path);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        AnsiConsole.MarkupLine($"[bold]harness train[/] {Markup.Escape(config.Name)} on {DeviceSelector.Describe(device)}");
        TrainRunResult? result = null;
        ProgressDisplay.Run("train", (status, progress) =>
            result = TrainRun.Execute(config, File.ReadAllText(path), RepositoryPaths.Root, device, status, progress, cancellation));
        var r = result!;
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
