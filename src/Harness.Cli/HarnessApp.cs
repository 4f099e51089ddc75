using Harness.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli;

/// <summary>Command registration and the one place user-facing errors become exit codes.</summary>
public static class HarnessApp
{
    /// <summary>Exit code for invalid input (config, table, arguments): the user must change something.</summary>
    public const int InvalidInput = 2;

    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("harness");
            config.PropagateExceptions();
            Register(config);
        });
        try
        {
            return app.Run(args);
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(e);
        }
    }

    static void Register(IConfigurator config)
    {
        // Commands register themselves here; one line each keeps merges trivial.
        config.AddCommand<TrainCommand>("train").WithExample("train", "experiments/teacher-tiny.json");
        config.AddCommand<RunCommand>("run").WithExample("run").WithExample("run", "experiments/quickstart.json", "--dry-run");
        config.AddCommand<EvalCommand>("eval").WithExample("eval", "models/teacher-tiny", "--tasks", "grammar,knowledge");
        config.AddCommand<MergeCommand>("merge").WithExample("merge", "results/quickstart/abc/shard1", "results/quickstart/abc/shard2");
        config.AddCommand<BenchCommand>("bench").WithExample("bench", "--preset", "small", "--untied", "--compare-pytorch");
        config.AddCommand<ValidateCommand>("validate").WithExample("validate", "experiments/quickstart.json");
        config.AddCommand<Commands.EstimateCommand>("estimate");
        config.AddCommand<Commands.FitScalingCommand>("fit-scaling");
        config.AddCommand<Commands.CalibrateCommand>("calibrate").WithExample("calibrate", "--datasets", "200");
        config.AddCommand<Commands.ReportCommand>("report").WithDescription("Write report.html and report.md for a results folder.");
        config.AddCommand<Commands.CompareCommand>("compare").WithDescription("Compare results folders: comparability, metrics and multipliers side by side.");
    }
}
