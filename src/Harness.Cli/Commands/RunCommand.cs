using System.ComponentModel;
using Harness.Config;
using Harness.Modeling;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class RunSettings : TorchSettings
{
    [CommandArgument(0, "[CONFIG]")]
    [Description("Experiment config JSON (default: experiments/quickstart.json, embedded in the tool).")]
    public string? Config { get; init; }



    [CommandOption("--shard <I/N>")]
    [Description("Run the I-th of N deterministic shares of the units (1-based), e.g. 1/2; join folders with `harness merge`.")]
    public string? Shard { get; init; }

    [CommandOption("--only <PATTERN>")]
    [Description("Run only units whose key, method, student, budget or 'seedN' contains PATTERN.")]
    public string? Only { get; init; }

    [CommandOption("--dry-run")]
    [Description("Print the unit table with predicted FLOPs and a time estimate; train nothing.")]
    public bool DryRun { get; init; }

    [CommandOption("--results <DIR>")]
    [Description("Results root (default: results/ in the repository).")]
    public string? Results { get; init; }

    [CommandOption("--jobs <N>")]
    [Description("Run N unit worker processes at once (each with --threads threads); 1 = all units in this process.")]
    [DefaultValue(1)]
    public int Jobs { get; init; } = 1;

    public override ValidationResult Validate() =>
        Jobs < 1 ? ValidationResult.Error($"--jobs: value {Jobs} must be ≥ 1") : ValidationResult.Success();
}

[Description("Run an experiment: teacher, students (scratch and distilled), evaluation, result files, multipliers and report. Re-running resumes.")]
public sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellation)
    {
        var (config, json, source) = LoadConfig(settings.Config);
        if (settings.Jobs > 1 && !settings.DryRun)
        {
            if (settings.Shard is not null || settings.Only is not null)
                throw new UserInputException("--jobs cannot be combined with --shard or --only; run the shard with --jobs 1, or the whole sweep with --jobs N.");
            if (!File.Exists(source))
                throw new UserInputException($"--jobs needs a config file the worker processes can read; {source} is not one — pass experiments/quickstart.json.");
            return RunLocal(config, json, source, settings.Results is null ? null : RepositoryPaths.Resolve(settings.Results), settings.Jobs,
                            settings.Threads > 0 ? settings.Threads : 1, settings.Device, cancellation);
        }
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var options = new SweepOptions
        {
            Device = device, RepositoryRoot = RepositoryPaths.Root, Shard = settings.Shard, Only = settings.Only,
            ResultsRoot = settings.Results is null ? null : RepositoryPaths.Resolve(settings.Results),
        };
        AnsiConsole.MarkupLine($"[bold]harness run[/] {Markup.Escape(config.Name)} ({Markup.Escape(source)}) on {DeviceSelector.Describe(device)}");
        var observer = new ConsoleSweepObserver();
        var runner = new SweepRunner(config, json, options, observer) { EvaluatorFactory = Extensions.EvaluatorFactory(config) };
        if (settings.DryRun)
        {
            var data = runner.PrepareData();
            string? hash = null;
            if (runner.TeacherNeedsTraining)
                AnsiConsole.MarkupLine("[yellow]the teacher checkpoint is missing: `harness run` will train it first (KD unit keys below are provisional).[/]");
            else
            {
                var (teacher, _, h, _) = runner.LoadTeacher(data);
                teacher?.Dispose();
                hash = h;
            }
            PrintPlan(runner.Units(data, hash), runner.RunDirectory);
            return 0;
        }
        SweepOutcome outcome = null!;
        AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                observer.Attach(ctx);
                outcome = runner.Run(cancellation);
            });
        AnsiConsole.MarkupLine($"[green]done[/]: {outcome.Ran} unit(s) trained, {outcome.Skipped} already finished, "
            + (outcome.DoneElsewhere > 0 ? $"{outcome.DoneElsewhere} done by other processes, " : "") + $"{outcome.Failed} failed, in {outcome.WallSeconds:F0} s.");
        foreach (var r in outcome.Retried)
            AnsiConsole.MarkupLine($"[yellow]retried[/] unit {Markup.Escape(r.Key)} {r.Retries} time(s), {Markup.Escape(r.Status)}: {Markup.Escape(string.Join(" | ", r.Errors))}");
        foreach (var (key, reason) in outcome.FailedUnits)
            AnsiConsole.MarkupLine($"[red]failed[/] unit {Markup.Escape(key)}: {Markup.Escape(reason)} (a rerun retries it)");
        AnsiConsole.MarkupLine($"results: [link]{Markup.Escape(outcome.Directory)}[/]");
        PrintFinalLosses(outcome.Directory);
        if (outcome.ShouldEstimate) Extensions.AfterRun(outcome.Directory);
        else if (!string.IsNullOrEmpty(settings.Shard))
            AnsiConsole.MarkupLine("[grey]shard finished; estimation and report run on the joined folders: `harness merge DIR...`[/]");
        else if (!outcome.Complete)
            AnsiConsole.MarkupLine("[grey]not every unit has a result yet; run the same command again to finish and estimate.[/]");
        else
            AnsiConsole.MarkupLine("[grey]the last unit was finished by another process, which writes the estimate and report.[/]");
        return outcome.Failed > 0 ? 1 : 0;
    }

    /// <summary>
    /// The local executor: prepare here, then <paramref name="jobs"/> `harness worker unit` processes at a time with
    /// <paramref name="threads"/> threads each, then collect, estimate and report here.
    /// </summary>
    internal static int RunLocal(ExperimentConfig config, string json, string configPath, string? resultsRoot, int jobs, int threads, string device,
                                 CancellationToken cancellation)
    {
        DeviceSelector.ConfigureThreads(threads);
        var options = new SweepOptions { Device = DeviceSelector.Resolve(device), RepositoryRoot = RepositoryPaths.Root, ResultsRoot = resultsRoot };
        var runner = new SweepRunner(config, json, options, new LogObserver()) { EvaluatorFactory = Extensions.EvaluatorFactory(config) };
        AnsiConsole.MarkupLine($"[bold]harness run[/] {Markup.Escape(config.Name)} with {jobs} worker processes × {threads} thread(s)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var units = runner.Prepare(cancellation: cancellation);
        var folder = new RunFolder(runner.RunDirectory);
        var todo = units.Where(u => !(folder.IsFinished(u.Key) && folder.ReadUnitRow(u.Key).Status == "ok")).Select(u => u.Index).ToList();
        AnsiConsole.MarkupLine($"{todo.Count} of {units.Count} units to train; worker logs in {Markup.Escape(Path.Combine(runner.RunDirectory, "logs"))}");
        var executor = new Harness.Sweep.Execution.LocalExecutor(jobs, threads, line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"));
        var report = executor.Launch(new Harness.Sweep.Execution.SweepWorkload
        {
            Harness = HarnessProcess.CommandPrefix(), ConfigPath = configPath, RunDirectory = runner.RunDirectory, ResultsRoot = resultsRoot,
            WorkingDirectory = RepositoryPaths.Root, Device = device, UnitIndices = todo,
        }, cancellation);
        if (report.Cancelled)
            throw new OperationCanceledException($"stopped; {report.Interrupted.Count} unit(s) checkpointed");
        int code = WorkerCommand.Finalize(runner);
        AnsiConsole.MarkupLine($"[green]done[/]: {report.Finished.Count} unit(s) trained by {jobs} workers in {clock.Elapsed.TotalSeconds:F0} s; results: {Markup.Escape(runner.RunDirectory)}");
        PrintFinalLosses(runner.RunDirectory);
        return code;
    }

    internal static (ExperimentConfig Config, string Json, string Source) LoadConfig(string? path)
    {
        if (path is not null)
        {
            var full = RepositoryPaths.ResolveInput(path);
            return (JsonConfigReader.ReadFile<ExperimentConfig>(full), File.ReadAllText(full), full);
        }
        var onDisk = RepositoryPaths.Resolve("experiments/quickstart.json");
        if (File.Exists(onDisk)) return (JsonConfigReader.ReadFile<ExperimentConfig>(onDisk), File.ReadAllText(onDisk), onDisk);
        using var stream = typeof(RunCommand).Assembly.GetManifestResourceStream("quickstart.json")!;
        var json = new StreamReader(stream).ReadToEnd();
        return (JsonConfigReader.Read<ExperimentConfig>(json, "embedded quickstart.json"), json, "embedded quickstart.json");
    }

    static void PrintPlan(IReadOnlyList<SweepUnit> units, string directory)
    {
        double gflops = StepBenchmark.MatmulGflops(n: 1024, reps: 5);
        var table = new Table().Title($"{units.Count} units → {Markup.Escape(directory)}")
            .AddColumns("#", "key", "method", "student", "params (non-emb)", "budget", "tokens", "seed", "train FLOPs", "est. time");
        double total = 0;
        foreach (var u in units)
        {
            // Rough: small CPU models reach ~30% of the measured matmul rate; KD adds the teacher's forward pass.
            double seconds = u.PredictedTrainFlops / (0.3 * gflops * 1e9) * (u.Method == "scratch" ? 1 : 1.4);
            total += seconds;
            table.AddRow($"{u.Index}", u.Key, u.Method, u.Student, $"{ModelMath.NonEmbeddingParams(u.Model):N0}", u.Budget, $"{u.Tokens:N0}", $"{u.Seed}", u.PredictedTrainFlops.ToString("E2"), $"{seconds:F0} s");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"estimated total: {total / 60:F1} min (matmul probe {gflops:F0} GFLOP/s; rough, excludes evaluation and cache builds)");
    }

    static void PrintFinalLosses(string directory)
    {
        var path = Path.Combine(directory, ResultSchema.RunsFile);
        if (!File.Exists(path)) return;
        var rows = ResultTables.ReadAll<RunRow>(path);
        var table = new Table().Title("final validation loss (nats/token), mean over seeds").AddColumn("student").AddColumn("budget");
        var methods = rows.Select(r => r.Method).Distinct().ToList();
        foreach (var m in methods) table.AddColumn(m);
        foreach (var g in rows.GroupBy(r => (r.Student, r.Budget, r.ParamsNonEmbedding)).OrderBy(g => g.Key.ParamsNonEmbedding).ThenBy(g => g.Min(r => r.Tokens)))
            table.AddRow(new[] { $"{g.Key.Student} ({g.Key.ParamsNonEmbedding:N0})", $"{g.Key.Budget} ({g.Min(r => r.Tokens):N0} tok)" }
                .Concat(methods.Select(m => g.Where(r => r.Method == m && r.Status == "ok").Select(r => r.ValLoss).DefaultIfEmpty(double.NaN).Average().ToString("F4"))).ToArray());
        AnsiConsole.Write(table);
    }
}

/// <summary>Spectre display for a sweep: an overall bar plus the current unit's bar with loss and tokens/s.</summary>
sealed class ConsoleSweepObserver : ISweepObserver
{
    ProgressContext? context;
    ProgressTask? overall;
    ProgressTask? current;

    public void Attach(ProgressContext ctx) => context = ctx;

    public void Status(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    public void UnitStarted(SweepUnit unit, int position, int count)
    {
        overall ??= context?.AddTask("sweep", maxValue: count);
        if (overall is not null) overall.Description = $"sweep unit {position}/{count}";
        if (current is not null) { current.Value = current.MaxValue; current.StopTask(); }
        current = context?.AddTask($"{unit.Method} {unit.Student} {unit.Budget} seed {unit.Seed}", maxValue: 1);
    }

    public void UnitProgress(TrainingProgress p)
    {
        if (current is null) return;
        current.MaxValue = p.TotalSteps;
        current.Value = p.Step;
        var name = current.Description.Split(" | ")[0];
        current.Description = $"{name} | loss {p.Loss:F3} {p.TokensPerSecond:N0} tok/s";
    }

    public void UnitFinished(SweepUnit unit, RunRow row, bool skipped)
    {
        overall ??= context?.AddTask("sweep", maxValue: 1);
        overall?.Increment(1);
        if (!skipped && row.Status != "ok")
            AnsiConsole.MarkupLine($"[red]unit {unit.Key} failed[/]: {Markup.Escape(row.FailureReason)}");
    }
}
