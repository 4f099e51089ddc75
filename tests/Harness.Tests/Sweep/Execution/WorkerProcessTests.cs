using System.Text;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;

namespace Harness.Tests.Sweep.Execution;

/// <summary>Real `harness` child processes, no Slurm: a signal mid-unit, the resume, and the local --jobs executor.</summary>
public class WorkerProcessTests
{
    static Lazy<WorkerRoot> Shared => SharedWorkerRoot.Prepared;

    static string[] Unit(WorkerRoot root, string results, int index) =>
        ["worker", "unit", root.Config, "--out", Path.Combine(root.Directory, results), "--index", $"{index}", "--threads", "1", "--device", "cpu"];

    static WorkerRecord? Heartbeat(string results, string key)
    {
        var path = Path.Combine(results, "exec-it");
        if (!Directory.Exists(path)) return null;
        var dir = Directory.GetDirectories(path).SingleOrDefault();
        return dir is null ? null : UnitHeartbeat.Read(new RunFolder(dir), key);
    }

    [Fact]
    public void Sigusr1_checkpoints_at_the_step_boundary_and_the_resumed_unit_is_bit_identical()
    {
        var root = Shared.Value;
        var plan = RunPlan.TryRead(WorkerRoot.RunDirectory(Path.Combine(root.Directory, "prepared")))!;
        var unit = plan.First(u => u.Method == "logit-kd");

        // Reference: the same unit, uninterrupted.
        var (refCode, refOut) = root.Run(Unit(root, "reference", unit.Index));
        Assert.True(refCode == 0, refOut);
        var refDir = WorkerRoot.RunDirectory(Path.Combine(root.Directory, "reference"));

        // Interrupted: slowed to 150 ms per step, SIGUSR1 once it has passed step 12 (its last periodic checkpoint is step 10).
        var results = Path.Combine(root.Directory, "signalled");
        var output = new StringBuilder();
        using var child = root.Start(Unit(root, "signalled", unit.Index), new Dictionary<string, string> { ["HARNESS_TEST_STEP_DELAY_MS"] = "150" }, output);
        int seen = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((seen = Heartbeat(results, unit.Key)?.Step ?? 0) < 12)
        {
            Assert.False(child.HasExited, $"worker exited before the signal:\n{output}");
            Assert.True(DateTime.UtcNow < deadline, $"no progress:\n{output}");
            Thread.Sleep(50);
        }
        LocalExecutor.Signal(child.Id, 10);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), output.ToString());
        child.WaitForExit();
        Assert.True(child.ExitCode == SlurmScripts.ExitInterrupted, $"exit {child.ExitCode}:\n{output}");
        var interrupted = Heartbeat(results, unit.Key)!;
        Assert.Equal("preempted", interrupted.State);
        Assert.Equal("SIGUSR1", interrupted.InterruptSignal);
        // At most one step lost: the checkpoint is at (or after) the step the heartbeat showed when the signal went out.
        Assert.InRange(interrupted.CheckpointStep!.Value, seen, seen + 2);
        var runDir = WorkerRoot.RunDirectory(results);
        Assert.False(new RunFolder(runDir).HasRow(unit.Key));

        // Resume: picks up at the checkpoint and ends exactly where the uninterrupted run did.
        var (code, resumedOut) = root.Run(Unit(root, "signalled", unit.Index));
        Assert.True(code == 0, resumedOut);
        var resumed = Heartbeat(results, unit.Key)!;
        Assert.Equal(interrupted.CheckpointStep, resumed.ResumedFromStep);
        Assert.Equal("done", resumed.State);
        var expectedRow = new RunFolder(refDir).ReadUnitRow(unit.Key);
        var actualRow = new RunFolder(runDir).ReadUnitRow(unit.Key);
        Assert.Equal(expectedRow.ValLoss, actualRow.ValLoss);
        Assert.Equal(expectedRow.ValBitsPerByte, actualRow.ValBitsPerByte);
        Assert.Equal(expectedRow with { WallSeconds = 0, TokensPerSecond = 0, EvalSeconds = 0 }, actualRow with { WallSeconds = 0, TokensPerSecond = 0, EvalSeconds = 0 });
        Assert.Equal(File.ReadAllText(Path.Combine(refDir, "units", unit.Key, "curve.json")), File.ReadAllText(Path.Combine(runDir, "units", unit.Key, "curve.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(refDir, "units", unit.Key, "model", "model.safetensors")),
                     File.ReadAllBytes(Path.Combine(runDir, "units", unit.Key, "model", "model.safetensors")));
    }

    [Fact]
    public void Local_executor_with_two_workers_matches_a_single_process_run()
    {
        var root = Shared.Value;
        var seq = SharedWorkerRoot.Sequential.Value;
        var (code, output) = root.Run(["run", root.Config, "--out", Path.Combine(root.Directory, "jobs2"), "--threads", "1", "--jobs", "2"]);
        Assert.True(code == 0, output);
        Assert.Contains("with 2 worker processes × 1 thread(s)", output);
        var par = WorkerRoot.RunDirectory(Path.Combine(root.Directory, "jobs2"));
        foreach (var file in new[] { ResultSchema.RunsFile, ResultSchema.CurvesFile })
            Assert.Equal(WorkerRoot.StableRows(Path.Combine(seq, file)), WorkerRoot.StableRows(Path.Combine(par, file)));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(par, ResultSchema.RunsFile)).Length);
        Assert.True(File.Exists(Path.Combine(par, ResultSchema.MultipliersFile)));
        Assert.True(File.Exists(Path.Combine(par, "report.html")));
        // Every unit's log is in the run folder; two long-lived workers trained the four launches side by side (two
        // PIDs), each preparing data and loading the teacher once, not once per launch.
        var pids = Directory.GetDirectories(Path.Combine(par, "units")).Select(d => UnitHeartbeat.Read(new RunFolder(par), Path.GetFileName(d))!.Pid).ToList();
        Assert.Equal(2, pids.Distinct().Count());
        Assert.Equal(4, Directory.GetFiles(Path.Combine(par, "logs"), "unit-*.log").Length);
        var workerLogs = Directory.GetFiles(Path.Combine(par, "logs"), "worker-*.log");
        Assert.Equal(2, workerLogs.Length);
        Assert.All(workerLogs, log => Assert.Single(File.ReadAllLines(log), l => l.Contains("worker ready: data and teacher loaded once")));
    }
}

/// <summary>One prepared root for every process test (tokenizer, token cache and teacher trained once), and the sweep run in one process.</summary>
static class SharedWorkerRoot
{
    public static readonly Lazy<WorkerRoot> Prepared = new(() =>
    {
        var root = new WorkerRoot();
        var (code, output) = root.Run(["worker", "prepare", root.Config, "--out", Path.Combine(root.Directory, "prepared"), "--threads", "1"]);
        Assert.True(code == 0, output);
        return root;
    });

    /// <summary>`harness run` of the sweep in one process, one thread: the reference the executors must reproduce.</summary>
    public static readonly Lazy<string> Sequential = new(() =>
    {
        var root = Prepared.Value;
        var (code, output) = root.Run(["run", root.Config, "--out", Path.Combine(root.Directory, "sequential"), "--threads", "1"]);
        Assert.True(code == 0, output);
        return WorkerRoot.RunDirectory(Path.Combine(root.Directory, "sequential"));
    });
}
