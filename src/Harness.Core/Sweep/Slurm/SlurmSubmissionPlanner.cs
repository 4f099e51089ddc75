using Harness.Config;
using Harness.Perf;
using Harness.Results;
using Harness.Sweep.Execution;

namespace Harness.Sweep.Slurm;

/// <summary>What a user asked of `harness submit --executor slurm`, before any planning.</summary>
public sealed record SlurmSubmitOptions
{
    public string? Partition { get; init; }
    public int GpusPerUnit { get; init; }
    public int CpusPerUnit { get; init; } = 1;
    public string? Mem { get; init; }
    /// <summary>Per-unit limit; null = auto (<see cref="TimeEstimate.UnitLimit"/> from a matmul probe here).</summary>
    public TimeSpan? UnitTime { get; init; }
    public int? MaxParallel { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    public bool FillCache { get; init; }
    public string Device { get; init; } = "auto";
}

/// <summary>A planned submission: the request for <see cref="SlurmSubmitter"/>, how its time limit was chosen, and how
/// many of the sweep's units are already done.</summary>
public sealed record SlurmSubmissionPlan(SubmitRequest Request, string TimeNote, int UnitsDone, int UnitCount);

/// <summary>
/// Turns a config and the submit options into one <see cref="SubmitRequest"/>: unit indices from the config alone (they
/// do not depend on the trained tokenizer or the teacher), one array task per launch group (a WSD trunk trains its
/// branches after it; a group whose first units are finished starts at its first unfinished one), the time limit
/// (given, or --time auto), and the resources of the three jobs.
/// </summary>
public static class SlurmSubmissionPlanner
{
    public static SlurmSubmissionPlan Plan(ExperimentConfig config, SweepRunner runner, SlurmSubmitOptions options, IReadOnlyList<string> harness,
                                           string configPath, string resultsRoot, string workingDirectory, Func<double>? matmulProbe = null)
    {
        var tok = config.Data.TokenizerOrDefault;
        var units = SweepPlan.Expand(config, Harness.Data.TokenizerLoader.VocabSize(tok), "", null);
        TimeSpan unitTime;
        string timeNote;
        if (options.UnitTime is { } given)
        {
            unitTime = given;
            timeNote = $"--time {SlurmScripts.FormatTime(unitTime)}";
        }
        else
        {
            double gflops = (matmulProbe ?? (() => StepBenchmark.MatmulGflops(n: 1024, reps: 5)))();
            unitTime = TimeEstimate.UnitLimit(units, gflops);
            timeNote = $"--time auto: {SlurmScripts.FormatTime(unitTime)} = longest unit's estimate ({units.Max(u => TimeEstimate.UnitSeconds(u, gflops)):F0} s at {gflops:F0} GFLOP/s matmul here) × {TimeEstimate.SafetyFactor} + {TimeEstimate.Allowance.TotalMinutes} min";
        }
        var resources = new SlurmResources
        {
            Partition = options.Partition, GpusPerUnit = options.GpusPerUnit, CpusPerUnit = options.CpusPerUnit, Mem = options.Mem,
            UnitTime = unitTime, PrepareTime = unitTime > TimeSpan.FromHours(1) ? unitTime : TimeSpan.FromHours(1), FinalizeTime = TimeSpan.FromMinutes(30),
            MaxParallel = options.MaxParallel, Account = options.Account, Qos = options.Qos,
            SignalMarginSeconds = TimeEstimate.SignalMarginSeconds(unitTime),
        };
        var runDir = runner.RunDirectory;
        var name = new string($"harness-{config.Name}-{runner.ConfigHash[..8]}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        var plan = RunPlan.TryRead(runDir);
        var folder = new RunFolder(runDir);
        // Keys come from plan.json (prepare knows them; the config alone does not); IsFinished = a row with status ok.
        var finishedIndices = (plan ?? []).Where(p => folder.IsFinished(p.Key)).Select(p => p.Index).ToHashSet();
        bool Finished(SweepUnit u) => finishedIndices.Contains(u.Index);
        var jobs = new SlurmJobSet
        {
            Name = name, RunDirectory = runDir, WorkingDirectory = workingDirectory, Harness = harness,
            ConfigPath = configPath, ResultsRoot = resultsRoot, UnitIndices = RunPlan.LaunchIndices(units, Finished), FillCache = options.FillCache,
            Device = options.Device, LogDirectory = new RunFolderLayout(runDir).SlurmLogs,
        };
        // Groups whose units are all finished never reach the submitter, so the done count comes from the plan.
        int unitsDone = finishedIndices.Count;
        return new SlurmSubmissionPlan(new SubmitRequest { Jobs = jobs, Resources = resources, AllIndices = jobs.UnitIndices }, timeNote, unitsDone, units.Count);
    }
}
