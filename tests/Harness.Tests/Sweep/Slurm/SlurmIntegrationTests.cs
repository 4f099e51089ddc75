using System.Diagnostics;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;
using Xunit.Abstractions;

using Harness.Tests.Sweep.Execution;

namespace Harness.Tests.Sweep.Slurm;

/// <summary>Runs only where a Slurm controller answers (`.ci/run` starts one with build/slurm/single-node.sh); skips with a message elsewhere.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        var why = SlurmCluster.Unavailable();
        if (why is not null) Skip = why;
    }
}

static class SlurmCluster
{
    public static string? Unavailable()
    {
        if (!SlurmCommands.Instance.Has("sbatch") || !SlurmCommands.Instance.Has("sinfo"))
            return "Slurm not available (no sbatch/sinfo on PATH): as root, `build/slurm/single-node.sh start` and export the SLURM_CONF it prints (.ci/run does both)";
        var r = SlurmCommands.Instance.Run("sinfo", "-h", "-o", "%t");
        if (r.ExitCode != 0) return $"Slurm not available (sinfo: {r.FirstError}): start it with `build/slurm/single-node.sh start` as root and export SLURM_CONF";
        if (!r.StdOut.Split('\n').Any(s => s.Trim() is "idle" or "mix" or "alloc"))
            return $"Slurm has no usable node (sinfo states: {r.StdOut.Trim()})";
        return null;
    }

    public static CommandResult Run(string command, params string[] args) => SlurmCommands.Instance.Run(command, args);
}

public class SlurmIntegrationTests(ITestOutputHelper output)
{
    void Log(string message) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.f}] {message}");

    /// <summary>The parent process id (field 4 of /proc/PID/stat; the name in field 2 is parenthesised and may hold spaces).</summary>
    static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    static T WaitFor<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } v) return v;
            Thread.Sleep(100);
        }
        throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}");
    }

    [SlurmFact]
    public void A_sweep_on_real_slurm_survives_requeue_and_usr1_and_matches_the_local_run()
    {
        var clock = Stopwatch.StartNew();
        var root = SharedWorkerRoot.Prepared.Value;
        var reference = SharedWorkerRoot.Sequential.Value;
        Log($"prepared root and local reference run in {clock.Elapsed.TotalSeconds:F0} s");
        var slurmClock = Stopwatch.StartNew();
        var results = Path.Combine(root.Directory, "slurm-results");
        var env = new Dictionary<string, string> { ["HARNESS_TEST_STEP_DELAY_MS"] = "300" };   // ~9 s of training per unit, so it can be caught running
        var (code, submitOut) = root.Run(["submit", root.Config, "--executor", "slurm", "--max-parallel", "2", "--time", "00:10:00", "--out", results], env);
        Assert.True(code == 0, submitOut);
        var run = WorkerRoot.RunDirectory(results);
        var submission = Assert.Single(SlurmSubmission.ReadAll(run));
        Assert.Equal("0-3%2", submission.ArraySpec);
        output.WriteLine(File.ReadAllText(Path.Combine(submission.ScriptDirectory, "units.sbatch")));
        Log($"submitted: prepare {submission.PrepareJob}, array {submission.UnitsJob}, finalize {submission.FinalizeJob}");

        // Two units running (the throttle allows no more): requeue one, USR1 the other.
        var plan = WaitFor(() => RunPlan.TryRead(run), TimeSpan.FromSeconds(120), "the prepare job's plan.json");
        var folder = new RunFolder(run);
        bool Running(PlannedUnit u) => UnitHeartbeat.Read(folder, u.Key) is { State: "running", Step: >= 3 and <= 24 };
        var running = WaitFor(() => plan.Where(Running).Take(2).ToList() is { Count: 2 } l ? l : null, TimeSpan.FromSeconds(120), "two running units");
        var busy = SlurmQueries.Queue(SlurmCommands.Instance, [submission.UnitsJob])!.Count(j => j.State == "RUNNING");
        Assert.Equal(2, busy);
        var (requeued, signalled) = (running[0], running[1]);
        var (requeuedStep, signalledStep) = (UnitHeartbeat.Read(folder, requeued.Key)!.Step, UnitHeartbeat.Read(folder, signalled.Key)!.Step);
        var requeue = SlurmCluster.Run("scontrol", "requeue", $"{submission.UnitsJob}_{requeued.Index}");
        Assert.True(requeue.ExitCode == 0, requeue.FirstError);
        // SIGUSR1 to the task's batch shell, as Slurm's --signal=B:USR1@margin delivers it near the time limit.  Sent
        // straight to that shell (the worker's parent; one node, so it is here), not with `scancel --signal`: scancel
        // retries while a task is "not alterable", and a retry landed on the task after its requeue had restarted it,
        // before its batch shell had set its trap (exit 138, no requeue), which no cluster's time-limit signal does.
        var batchShell = ParentOf(UnitHeartbeat.Read(folder, signalled.Key)!.Pid);
        LocalExecutor.Signal(batchShell, 10);
        Log($"requeued unit {requeued.Index} at step {requeuedStep}, sent USR1 to unit {signalled.Index} at step {signalledStep}");

        // Submitting again while everything is queued or running is refused, and submits nothing.
        var (again, againOut) = root.Run(["submit", root.Config, "--max-parallel", "2", "--time", "00:10:00", "--out", results]);
        Assert.True(again == 2, $"{againOut}\nsqueue now:\n{SlurmCluster.Run("squeue", "-h", "-r", "-o", "%i|%T|%r|%N").StdOut}\n{root.Run(["status", run]).Output}");
        Assert.Contains("nothing to submit", againOut);
        Assert.Single(SlurmSubmission.ReadAll(run));

        // Mid-run status screen.
        Thread.Sleep(2000);
        output.WriteLine(root.Run(["status", run]).Output);

        WaitFor(() => SlurmQueries.Queue(SlurmCommands.Instance, submission.JobIds) is { Count: 0 } ? "" : null, TimeSpan.FromSeconds(240), "the run's jobs to leave the queue");
        Log($"all jobs finished; Slurm part took {slurmClock.Elapsed.TotalSeconds:F0} s");
        var (statusCode, status) = root.Run(["status", run]);
        output.WriteLine(status);
        Assert.Equal(0, statusCode);
        Assert.Contains("4 done", status);

        var finalizeLog = File.ReadAllText(Directory.GetFiles(Path.Combine(run, "slurm", "logs"), "finalize-*.out").Single());
        Assert.Contains("collected 4 ok, 0 failed, 0 missing of 4 units", finalizeLog);
        Assert.True(File.Exists(Path.Combine(run, ResultSchema.MultipliersFile)), finalizeLog);
        Assert.True(File.Exists(Path.Combine(run, "report.html")), finalizeLog);
        Assert.True(File.Exists(Path.Combine(run, "report.md")), finalizeLog);

        // Both interrupted units checkpointed on their signal and resumed from that step (not from scratch, not from step 10).
        foreach (var (unit, signal) in new[] { (requeued, "SIGTERM"), (signalled, "SIGUSR1") })
        {
            var w = UnitHeartbeat.Read(folder, unit.Key)!;
            Assert.Equal("done", w.State);
            var checkpoints = w.Attempts.Where(a => a.Contains(": checkpointed at step", StringComparison.Ordinal)).ToList();
            Assert.Contains(checkpoints, c => c.Contains($"{signal}: checkpointed at step", StringComparison.Ordinal));
            int step = int.Parse(checkpoints[^1][(checkpoints[^1].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(step >= 3, checkpoints[^1]);
            Assert.Equal(step, w.ResumedFromStep);
            Assert.Equal(checkpoints.Count, w.RestartCount);
            Assert.Equal(w.RestartCount, folder.ReadUnitRow(unit.Key).RestartCount);
            Log($"unit {unit.Index}: {string.Join("; ", checkpoints.Select(c => c[(c.IndexOf(' ') + 1)..]))}; resumed from step {w.ResumedFromStep}; restart_count {w.RestartCount}");
        }
        foreach (var other in plan.Except([requeued, signalled]))
            Assert.Equal(0, folder.ReadUnitRow(other.Key).RestartCount);

        // The same numbers as the sweep run in one local process.
        foreach (var file in new[] { ResultSchema.RunsFile, ResultSchema.CurvesFile })
            Assert.Equal(WorkerRoot.StableRows(Path.Combine(reference, file)), WorkerRoot.StableRows(Path.Combine(run, file)));

        // Nothing of this run is left to cancel; cancel touches only its recorded jobs.
        var (cancelCode, cancelOut) = root.Run(["cancel", run]);
        Assert.True(cancelCode == 0, cancelOut);
        Assert.Contains("no job of this run is queued or running", cancelOut);
        Log($"integration test total {clock.Elapsed.TotalSeconds:F0} s");
    }
}
