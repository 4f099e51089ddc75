using System.ComponentModel;
using System.Runtime.InteropServices;
using Harness.Pipelines;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;
using Harness.Training;
using Harness.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class WorkerSettings : TorchSettings
{
    [CommandArgument(0, "<STAGE>")]
    [Description("prepare | unit | serve | finalize.")]
    public string Stage { get; init; } = "";

    [CommandArgument(1, "<CONFIG>")]
    [Description("Experiment config JSON.")]
    public string Config { get; init; } = "";

    [CommandOption("--index <I>")]
    [Description("unit: the unit's index in the sweep (= its Slurm array task id; see plan.json); the worker trains it and the rest of its group (a WSD trunk's branches).")]
    public int? Index { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Results root (default: results/ in the repository).")]
    public string? Results { get; init; }

    [CommandOption("--fill-cache")]
    [Description("prepare: fill every window of the teacher-logit cache, so units only read it.")]
    public bool FillCache { get; init; }

    public override ValidationResult Validate()
    {
        var problems = new List<string>();
        if (Stage is not ("prepare" or "unit" or "serve" or "finalize")) problems.Add($"STAGE: value '{Stage}' must be prepare, unit, serve or finalize");
        if (Stage == "unit" && Index is null) problems.Add("--index: required for the unit stage (the unit's index in plan.json)");
        if (Stage != "unit" && Index is not null) problems.Add($"--index: only for the unit stage (the {Stage} stage takes none)");
        if (Index is < 0) problems.Add($"--index: value {Index} must be ≥ 0");
        return problems.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join("; ", problems));
    }
}

/// <summary>
/// One stage of a sweep in this process, as executors run it (`harness run --jobs N`, `harness submit`): prepare, one
/// unit (a Slurm array task), serve (a long-lived local worker: prepares once, then trains each launch index read from
/// standard input and answers on standard output), or finalize.  SIGUSR1, SIGTERM and SIGINT make a unit checkpoint at
/// its next step boundary; the worker then exits 75.
/// </summary>
[Description("Run one stage of a sweep (prepare | unit | serve | finalize); used by `run --jobs` and by the Slurm scripts of `submit`.")]
public sealed class WorkerCommand : Command<WorkerSettings>
{
    public override int Execute(CommandContext context, WorkerSettings settings, CancellationToken cancellation)
    {
        var (config, _) = RunCommand.LoadConfig(settings.Config);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        int restarts = int.TryParse(Environment.GetEnvironmentVariable("SLURM_RESTART_COUNT"), out var rc) ? rc : 0;
        var options = new SweepOptions
        {
            Device = device, RepositoryRoot = RepositoryPaths.Root, RestartCount = restarts,
            ResultsRoot = settings.Results is null ? null : RepositoryPaths.Resolve(settings.Results),
        };
        var run = new ExperimentRun(config, options, new LogObserver());
        Console.WriteLine($"harness worker {settings.Stage} {config.Name} → {run.RunDirectory} on {DeviceSelector.Describe(device)} (pid {Environment.ProcessId}, host {Environment.MachineName}, restart {restarts})");
        switch (settings.Stage)
        {
            case "prepare":
                var units = run.Prepare(settings.FillCache, cancellation);
                Console.WriteLine($"prepared {units.Count} units; plan.json written");
                return 0;
            case "finalize":
                return PrintFinalized(run.Finalize(Messages));
            case "serve":
                return Serve(run, cancellation);
            default:
                return Unit(run, settings.Index!.Value, cancellation);
        }
    }

    static readonly IProgress<string> Messages = new CallbackProgress<string>(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));

    /// <summary>The signals that checkpoint a unit (SIGUSR1 from Slurm before the time limit, SIGTERM, SIGINT), and the name of the one that came.</summary>
    sealed class Interrupts : IDisposable
    {
        readonly PosixSignalRegistration[] registrations;

        public Interrupts(CancellationToken outer)
        {
            Source = CancellationTokenSource.CreateLinkedTokenSource(outer);
            registrations =
            [
                PosixSignalRegistration.Create((PosixSignal)10, c => On(c, "SIGUSR1")), // SIGUSR1 on Linux
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => On(c, "SIGTERM")),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, c => On(c, "SIGINT")),
            ];
        }

        public CancellationTokenSource Source { get; }
        public string Signal { get; private set; } = "cancel";

        void On(PosixSignalContext c, string name)
        {
            c.Cancel = true;            // no default termination: the trainer checkpoints at its next step boundary
            if (!Source.IsCancellationRequested) { Signal = name; Console.WriteLine($"{DateTime.UtcNow:O} {name}: checkpointing at the next step boundary"); }
            Source.Cancel();
        }

        public void Dispose()
        {
            foreach (var r in registrations) r.Dispose();
            Source.Dispose();
        }
    }

    static string? SlurmJobId() => Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } arr
        ? $"{arr}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}" : Environment.GetEnvironmentVariable("SLURM_JOB_ID");

    static int Unit(ExperimentRun run, int index, CancellationToken outer)
    {
        using var interrupts = new Interrupts(outer);
        using var worker = run.OpenWorker(SlurmJobId(), () => interrupts.Signal);
        return Launch(run, worker, index, interrupts.Source.Token);
    }

    /// <summary>
    /// A long-lived local worker (`run --jobs N`): data, teacher and evaluator once, then one launch per index read from
    /// standard input, each answered with <see cref="SweepWorkload.LaunchDoneMarker"/>, the index and its exit code;
    /// ends at the end of input, or after the launch a signal interrupted.
    /// </summary>
    static int Serve(ExperimentRun run, CancellationToken outer)
    {
        using var interrupts = new Interrupts(outer);
        using var worker = run.OpenWorker(SlurmJobId(), () => interrupts.Signal);
        Console.WriteLine($"{DateTime.UtcNow:O} {SweepWorkload.WorkerReady}");
        while (!interrupts.Source.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            if (!int.TryParse(line.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var index)) continue;
            int code;
            try { code = Launch(run, worker, index, interrupts.Source.Token); }
            catch (UserInputException e)
            {
                code = ErrorReporter.Report(e);   // this launch fails with the reason in its log; the worker serves the next
            }
            Console.WriteLine($"{SweepWorkload.LaunchDoneMarker} {index.ToString(System.Globalization.CultureInfo.InvariantCulture)} {code.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            if (code == SlurmScripts.ExitInterrupted) return code;
        }
        return interrupts.Source.IsCancellationRequested ? SlurmScripts.ExitInterrupted : 0;
    }

    /// <summary>Launch <paramref name="index"/> (the unit and the rest of its WSD group) → 0, 75 (interrupted) or 76
    /// (a unit is claimed by a live process elsewhere after 2 minutes of waiting).</summary>
    static int Launch(ExperimentRun run, UnitWorker worker, int index, CancellationToken cancellation)
    {
        for (int wait = 0; ; wait++)
        {
            try
            {
                // A WSD trunk's launch also trains its branches (they start from its fork checkpoints); finished units
                // of the group are skipped, so a requeued launch continues where it stopped.
                var members = RunPlan.RestOfGroup(RunPlan.TryRead(run.RunDirectory), index);
                var result = worker.Run(members, cancellation, (member, r) => Console.WriteLine($"{DateTime.UtcNow:O} unit {member}: {r}"));
                return result == UnitWorkerResult.Interrupted ? SlurmScripts.ExitInterrupted : 0;
            }
            catch (UnitBusyException e) when (wait < 12 && !cancellation.IsCancellationRequested)
            {
                Console.WriteLine($"{e.Message} Waiting 10 s.");
                cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            }
            catch (UnitBusyException e)
            {
                Console.WriteLine(e.Message);
                return SlurmScripts.ExitRetry;
            }
        }
    }

    /// <summary>Prints what the finalize stage collected (and the estimate); 1 when a unit failed or is missing.</summary>
    internal static int PrintFinalized(FinalizeResult result)
    {
        var outcome = result.Sweep;
        Console.WriteLine($"collected {result.Ok} ok, {outcome.Failed.Count} failed, {outcome.Missing.Count} missing of {outcome.Units.Count} units → {outcome.Directory}");
        if (result.Estimate is { } estimate) EstimateReportOutput.Print(estimate);
        if (result.EstimateFailed is { } why) AnsiConsole.MarkupLine($"[yellow]estimate/report skipped[/]: {Markup.Escape(why)}");
        foreach (var row in outcome.Failed)
            Console.WriteLine($"FAILED unit {row.UnitKey} ({row.Method} {row.Student} {row.Budget} seed {row.Seed}): {row.FailureReason}");
        foreach (var unit in outcome.Missing)
            Console.WriteLine($"MISSING unit {unit.Index} {unit.Key} ({unit.Method} {unit.Student} {unit.Budget} seed {unit.Seed}): no result; see `harness status {outcome.Directory}`");
        return result.Complete ? 0 : 1;
    }
}

/// <summary>Plain log lines for batch jobs and worker processes: status messages and progress every 10 s.</summary>
sealed class LogObserver : ISweepObserver
{
    DateTime last;
    public void Status(string message) => Console.WriteLine($"{DateTime.UtcNow:O} {message}");
    public void UnitStarted(SweepUnit unit, int position, int count) => Console.WriteLine($"{DateTime.UtcNow:O} unit {unit.Index} {unit.Key}: {unit.Method} {unit.Student} {unit.Budget} seed {unit.Seed}");
    public void UnitProgress(TrainingProgress p)
    {
        if (DateTime.UtcNow - last < TimeSpan.FromSeconds(10) && p.Step != p.TotalSteps) return;
        last = DateTime.UtcNow;
        Console.WriteLine($"{DateTime.UtcNow:O} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} {p.TokensPerSecond:F0} tok/s");
    }
    public void UnitFinished(SweepUnit unit, RunRow row, bool skipped) =>
        Console.WriteLine($"{DateTime.UtcNow:O} unit {unit.Index} {unit.Key}: {row.Status.OnDisk()} val_loss {row.ValLoss:F4} {row.FailureReason}".TrimEnd());
}
