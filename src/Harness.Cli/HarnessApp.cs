using System.Reflection;
using Harness.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli;

/// <summary>Command registration and the one place user-facing errors become exit codes (listed in README "Exit codes").</summary>
public static class HarnessApp
{
    /// <summary>Exit code for invalid input (config, table, arguments): the user must change something.</summary>
    public const int InvalidInput = 2;
    /// <summary>Exit code after Ctrl-C (128 + SIGINT, the shell convention); finished work is saved.</summary>
    public const int Cancelled = 130;
    /// <summary>Exit code after SIGTERM (128 + 15, the shell's convention), once the run has checkpointed.</summary>
    public const int Terminated = 143;

    /// <summary>Every command and its class; the argument checker reads the options from the settings types.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Commands = new Dictionary<string, Type>
    {
        ["train"] = typeof(TrainCommand),
        ["run"] = typeof(RunCommand),
        ["eval"] = typeof(EvalCommand),
        ["merge"] = typeof(MergeCommand),
        ["bench"] = typeof(BenchCommand),
        ["validate"] = typeof(ValidateCommand),
        ["estimate"] = typeof(EstimateCommand),
        ["fit-scaling"] = typeof(FitScalingCommand),
        ["calibrate"] = typeof(CalibrateCommand),
        ["report"] = typeof(ReportCommand),
        ["compare"] = typeof(CompareCommand),
        ["schema"] = typeof(SchemaCommand),
        ["sample"] = typeof(SampleCommand),
        ["export"] = typeof(ExportCommand),
        ["submit"] = typeof(SubmitCommand),
        ["status"] = typeof(StatusCommand),
        ["cancel"] = typeof(CancelCommand),
        ["worker"] = typeof(WorkerCommand),
        ["data"] = typeof(DataPrepareCommand),
    };

    public static int Run(string[] args)
    {
        if (args is ["--version" or "-v" or "version"])
        {
            Console.Out.WriteLine(VersionText());
            return 0;
        }
        if (args is ["help", .. var rest])
            args = rest.Length == 0 ? ["--help"] : [rest[0], "--help"];
        // Outside a terminal (Slurm, CI, `> file`) Spectre would wrap every line at 80 columns, paths included.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 400;
        var problems = ArgumentChecker.Check(args, Commands);
        if (problems.Count > 0)
            return ErrorReporter.Report(new UserInputException("invalid command line; nothing was run.", problems));

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("harness");
            config.SetApplicationVersion(ToolVersion);
            config.UseStrictParsing();
            config.PropagateExceptions();
            // Spectre.Console.Cli otherwise keeps the first AnsiConsole.Console it saw for the life of the process.
            config.ConfigureConsole(AnsiConsole.Console);
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

    static string ToolVersion => typeof(HarnessApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                                 ?? typeof(HarnessApp).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary><c>harness --version</c>: the tool and what it runs on, one per line.</summary>
    public static string VersionText() => string.Join(Environment.NewLine,
        $"harness {ToolVersion}",
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}",
        $"libtorch {TorchSharp.torch.__version__}",
        $".NET {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})");

    static void Register(IConfigurator config)
    {
        // Commands register themselves here; one line each keeps merges trivial (and a line in Commands above).
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
        config.AddCommand<Commands.SubmitCommand>("submit").WithExample("submit", "experiments/quickstart.json", "--executor", "slurm", "--max-parallel", "8", "--dry-run");
        config.AddCommand<Commands.StatusCommand>("status").WithExample("status", "results/quickstart/abc123");
        config.AddCommand<Commands.CancelCommand>("cancel").WithExample("cancel", "results/quickstart/abc123");
        config.AddCommand<Commands.WorkerCommand>("worker").WithExample("worker", "unit", "experiments/quickstart.json", "--index", "3");
        config.AddCommand<Commands.CompareCommand>("compare").WithDescription("Compare results folders: comparability, metrics and multipliers side by side.");
        config.AddCommand<SchemaCommand>("schema").WithExample("schema", "--out", "experiments/schema");
        config.AddCommand<SampleCommand>("sample").WithExample("sample", "models/teacher-tiny", "--prompt", "The Congress shall");
        config.AddBranch("data", data =>
        {
            data.SetDescription("Prepare or inspect a corpus's token store.");
            data.AddCommand<DataPrepareCommand>("prepare").WithExample("data", "prepare", "experiments/gpu-medium.json");
            data.AddCommand<DataInspectCommand>("inspect").WithExample("data", "inspect", "experiments/quickstart.json");
        });
        config.AddCommand<ExportCommand>("export").WithExample("export", "models/teacher-tiny", "--format", "hf", "--out", "exports/teacher-tiny-hf");
    }
}
