using System.ComponentModel;
using System.Runtime.InteropServices;
using Harness.Pipelines;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Slurm;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class WorkerSettings : TorchSettings
{
    [CommandArgument(0, "<STAGE>")]
    [Description("prepare | unit | finalize.")]
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
        if (Stage is not ("prepare" or "unit" or "finalize")) problems.Add($"STAGE: value '{Stage}' must be prepare, unit or finalize");
        if (Stage == "unit" && Index is null) problems.Add("--index: required for the unit stage (the unit's index in plan.json)");
        if (Index is < 0) problems.Add($"--index: value {Index} must be ≥ 0");
        return problems.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join("; ", problems));
    }
}

/// <summary>
/// One stage of a sweep in this process, as executors run it (`harness run --jobs N`, `harness submit`): prepare,
/// one unit, or finalize.  SIGUSR1, SIGTERM and SIGINT make a unit checkpoint at its next step boundary and exit 75.
/// </summary>
[Description("Run one stage of a sweep (prepare | unit | finalize); used by `run --jobs` and by the Slurm scripts of `submit`.")]
public sealed class WorkerCommand : Command<WorkerSettings>
{
    public override int Execute(CommandContext context, WorkerSettings settings, CancellationToken cancellation)
    {
        var (config, json, _) = RunCommand.LoadConfig(settings.Config);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        int restarts = int.TryParse(Environment.GetEnvironmentVariable("SLURM_RESTART_COUNT"), out var rc) ? rc : 0;
        var options = new SweepOptions
        {
            Device = device, RepositoryRoot = RepositoryPaths.Root, RestartCount = restarts,
            ResultsRoot = settings.Results is null ? null : RepositoryPaths.Resolve(settings.Results),
        };
        var observer = new LogObserver();
        var runner = new ExperimentRun(config, json, options, observer).Sweep;
        Console.WriteLine($"harness worker {settings.Stage} {config.Name} → {runner.RunDirectory} on {DeviceSelector.Describe(device)} (pid {Environment.ProcessId}, host {Environment.MachineName}, restart {restarts})");
        switch (settings.Stage)
        {
            case "prepare":
                var units = runner.Prepare(settings.FillCache, cancellation);
                Console.WriteLine($"prepared {units.Count} units; plan.json written");
                return 0;
            case "finalize":
                return Finalize(runner);
            default:
                return Unit(runner, settings.Index!.Value, cancellation);
        }
    }

    static int Unit(SweepRunner runner, int index, CancellationToken outer)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        string signal = "cancel";
        void OnSignal(PosixSignalContext c, string name)
        {
            c.Cancel = true;            // no default termination: the trainer checkpoints at its next step boundary
            if (!cts.IsCancellationRequested) { signal = name; Console.WriteLine($"{DateTime.UtcNow:O} {name}: checkpointing at the next step boundary"); }
            cts.Cancel();
        }
        using var usr1 = PosixSignalRegistration.Create((PosixSignal)10, c => OnSignal(c, "SIGUSR1")); // SIGUSR1 on Linux
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, "SIGTERM"));
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, "SIGINT"));
        int delay = int.TryParse(Environment.GetEnvironmentVariable("HARNESS_TEST_STEP_DELAY_MS"), out var d) ? d : 0;
        var jobId = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } arr
            ? $"{arr}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}" : Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        for (int wait = 0; ; wait++)
        {
            try
            {
                // A WSD trunk's launch also trains its branches (they start from its fork checkpoints); finished units
                // of the group are skipped, so a requeued launch continues where it stopped.
                var members = Harness.Sweep.Execution.RunPlan.RestOfGroup(Harness.Sweep.Execution.RunPlan.TryRead(runner.RunDirectory), index);
                var result = runner.RunUnits(members, jobId, () => signal, delay, cts.Token,
                    (member, r) => Console.WriteLine($"{DateTime.UtcNow:O} unit {member}: {r}"));
                return result == UnitWorkerResult.Interrupted ? SlurmScripts.ExitInterrupted : 0;
            }
            catch (Harness.Sweep.Execution.UnitBusyException e) when (wait < 12 && !cts.IsCancellationRequested)
            {
                Console.WriteLine($"{e.Message} Waiting 10 s.");
                Thread.Sleep(TimeSpan.FromSeconds(10));
            }
            catch (Harness.Sweep.Execution.UnitBusyException e)
            {
                Console.WriteLine(e.Message);
                return SlurmScripts.ExitRetry;
            }
        }
    }

    internal static int Finalize(SweepRunner runner)
    {
        var outcome = runner.Finalize();
        int ok = outcome.Units.Count - outcome.Failed.Count - outcome.Missing.Count;
        Console.WriteLine($"collected {ok} ok, {outcome.Failed.Count} failed, {outcome.Missing.Count} missing of {outcome.Units.Count} units → {outcome.Directory}");
        if (ok > 0)
        {
            try { EstimateReportOutput.Run(outcome.Directory); }
            catch (UserInputException e) { AnsiConsole.MarkupLine($"[yellow]estimate/report skipped[/]: {Markup.Escape(e.Message)}"); }
        }
        foreach (var row in outcome.Failed)
            Console.WriteLine($"FAILED unit {row.UnitKey} ({row.Method} {row.Student} {row.Budget} seed {row.Seed}): {row.FailureReason}");
        foreach (var unit in outcome.Missing)
            Console.WriteLine($"MISSING unit {unit.Index} {unit.Key} ({unit.Method} {unit.Student} {unit.Budget} seed {unit.Seed}): no result; see `harness status {outcome.Directory}`");
        return outcome.Failed.Count + outcome.Missing.Count > 0 ? 1 : 0;
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
