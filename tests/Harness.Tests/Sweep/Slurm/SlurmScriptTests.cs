using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;

using Harness.Tests.Sweep.Execution;

namespace Harness.Tests.Sweep.Slurm;

public class SlurmScriptTests
{
    static SlurmJobSet Jobs(IReadOnlyList<int>? indices = null, string? run = null) => new()
    {
        Name = "harness-x-abcdef12", RunDirectory = run ?? "/shared/results/x/abcdef123456", WorkingDirectory = "/shared/repo",
        Harness = ["/usr/bin/dotnet", "/shared/repo/bin/harness.dll"], ConfigPath = "/shared/repo/experiments/x.json",
        ResultsRoot = "/shared/results", UnitIndices = indices ?? [0, 1, 2, 3], LogDirectory = Path.Combine(run ?? "/shared/results/x/abcdef123456", "slurm", "logs"),
    };

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, null, "0-3")]
    [InlineData(new[] { 3, 1, 2, 0 }, 2, "0-3%2")]
    [InlineData(new[] { 0, 2, 3, 4, 7, 9, 10 }, 4, "0,2-4,7,9-10%4")]
    [InlineData(new[] { 5 }, 1, "5%1")]
    [InlineData(new[] { 1, 1, 2 }, null, "1-2")]
    public void Array_ranges_compress_indices_and_carry_the_throttle(int[] indices, int? throttle, string expected)
    {
        Assert.Equal(expected, SlurmScripts.ArraySpec(indices, throttle));
        Assert.Equal(indices.Distinct().Order(), SlurmParsers.ExpandRanges(expected.Split('%')[0]));
    }

    [Fact]
    public void Unit_array_script_has_requeue_signal_resources_and_one_unit_per_task()
    {
        var r = new SlurmResources
        {
            Partition = "gpu", GpusPerUnit = 1, CpusPerUnit = 4, Mem = "16G", UnitTime = TimeSpan.FromMinutes(90), MaxParallel = 8,
            Account = "proj1", Qos = "normal", SignalMarginSeconds = 300,
        };
        var s = SlurmScripts.Units(Jobs([0, 1, 2, 5, 6]), r);
        var lines = s.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        foreach (var expected in new[]
        {
            "#SBATCH --array=0-2,5-6%8", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@300", "#SBATCH --time=01:30:00",
            "#SBATCH --cpus-per-task=4", "#SBATCH --gres=gpu:1", "#SBATCH --mem=16G", "#SBATCH --partition=gpu",
            "#SBATCH --account=proj1", "#SBATCH --qos=normal", "#SBATCH --ntasks=1", "#SBATCH --job-name=harness-x-abcdef12-units",
            "#SBATCH --chdir=/shared/repo", "#SBATCH --open-mode=append",
            "#SBATCH --output=/shared/results/x/abcdef123456/slurm/logs/unit-%A_%a.out",
        })
            Assert.Contains(expected, lines);
        // The worker runs in the background so the shell's traps fire; signals are forwarded; USR1 → self-requeue.
        Assert.Contains("trap 'forward USR1' USR1", lines);
        Assert.Contains("trap 'forward TERM' TERM", lines);
        Assert.Contains(lines, l => l.StartsWith("/usr/bin/dotnet /shared/repo/bin/harness.dll worker unit /shared/repo/experiments/x.json --out /shared/results --index \"$SLURM_ARRAY_TASK_ID\"", StringComparison.Ordinal) && l.EndsWith(" &", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("scontrol requeue \"$task\"") && l.Contains("USR1"));
        Assert.Contains($"  {SlurmScripts.ExitInterrupted})", lines);
        Assert.Contains($"  {SlurmScripts.ExitRetry})", lines);
        // #SBATCH lines must all come before the first command, or sbatch ignores them.
        int firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH", StringComparison.Ordinal)) < firstCommand);
    }

    [Fact]
    public void Optional_resources_are_left_out_and_prepare_finalize_have_their_own_jobs()
    {
        var r = new SlurmResources { UnitTime = TimeSpan.FromMinutes(20) };
        var units = SlurmScripts.Units(Jobs(), r);
        Assert.DoesNotContain("--gres", units);
        Assert.DoesNotContain("--mem", units);
        Assert.DoesNotContain("--partition", units);
        Assert.DoesNotContain("--account", units);
        Assert.Contains("#SBATCH --array=0-3\n", units);

        var prepare = SlurmScripts.Prepare(Jobs() with { FillCache = true }, r);
        Assert.Contains("worker prepare /shared/repo/experiments/x.json --out /shared/results", prepare);
        Assert.Contains("--fill-cache", prepare);
        Assert.DoesNotContain("--array", prepare);
        var finalize = SlurmScripts.Finalize(Jobs(), r with { GpusPerUnit = 2 });
        Assert.Contains("worker finalize", finalize);
        Assert.DoesNotContain("--gres", finalize);   // collecting needs no GPU
        Assert.Contains("#SBATCH --job-name=harness-x-abcdef12-finalize", finalize);

        var submit = SlurmScripts.SubmitCommands("/shared/results/x/abcdef123456/slurm/submit-1");
        Assert.Contains("--dependency=afterok:${PREPARE%%;*} --kill-on-invalid-dep=yes", submit);
        Assert.Contains("--dependency=afterany:${UNITS%%;*}", submit);
        Assert.Equal(3, submit.Split("sbatch --parsable --hold").Length - 1);
        Assert.Contains("scontrol release", submit);
    }

    [Theory]
    [InlineData("01:30:00", 5400)]
    [InlineData("90", 5400)]
    [InlineData("10:30", 630)]
    [InlineData("2-00:00:00", 172800)]
    [InlineData("1-12", 129600)]
    public void Time_limits_parse_as_sbatch_reads_them(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), SlurmScripts.ParseTime(text));
        Assert.Equal(TimeSpan.FromSeconds(seconds), SlurmScripts.ParseTime(SlurmScripts.FormatTime(TimeSpan.FromSeconds(seconds))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1h")]
    [InlineData("00:00:00")]
    [InlineData("-5")]
    public void Bad_time_limits_are_rejected(string text) => Assert.Null(SlurmScripts.ParseTime(text));

    [Fact]
    public void Auto_time_is_the_longest_estimate_with_margin()
    {
        var config = Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>(WorkerRoot.SweepJson, "t");
        var units = Harness.Sweep.SweepPlan.Expand(config, 300, "", null);
        double seconds = units.Max(u => TimeEstimate.UnitSeconds(u, 1));
        Assert.True(units.Where(u => u.Method == "logit-kd").All(u => TimeEstimate.UnitSeconds(u, 1) > TimeEstimate.UnitSeconds(units.First(s => s.Method == "scratch"), 1)));
        var limit = TimeEstimate.UnitLimit(units, 1);
        Assert.Equal(Math.Ceiling((seconds * TimeEstimate.SafetyFactor + TimeEstimate.Allowance.TotalSeconds) / 60), limit.TotalMinutes);
        Assert.Equal(120, TimeEstimate.SignalMarginSeconds(TimeSpan.FromMinutes(11)));
        Assert.Equal(600, TimeEstimate.SignalMarginSeconds(TimeSpan.FromHours(10)));
    }

    [Fact]
    public void Squeue_and_sacct_output_is_parsed_into_tasks()
    {
        var q = SlurmParsers.Squeue("""
            41_[4-6%2]|PENDING|JobArrayTaskLimit|
            41_2|RUNNING|None|node07
            41_3|PENDING|BeginTime|
            40|RUNNING|None|node01
            42|PENDING|Dependency|

            """);
        Assert.Equal(7, q.Count);
        Assert.Equal([4, 5, 6], q.Where(j => j.JobId == "41" && j.Reason == "JobArrayTaskLimit").Select(j => j.TaskId!.Value));
        var running = Assert.Single(q, j => j.TaskId == 2);
        Assert.Equal(("RUNNING", "node07"), (running.State, running.Nodes));
        Assert.Null(q.Single(j => j.JobId == "40").TaskId);
        Assert.All(q, j => Assert.True(j.IsQueuedOrRunning));

        var a = SlurmParsers.Sacct("""
            41_0|COMPLETED|0:0|node07|None
            41_1|FAILED|1:0|node08|NonZeroExitCode
            41_2|CANCELLED by 0|0:15|node07|None
            41_3|OUT_OF_MEMORY|0:125|node09|
            41_[4-6]|PENDING|0:0|None assigned|JobArrayTaskLimit
            """);
        Assert.Equal(["COMPLETED", "FAILED", "CANCELLED", "OUT_OF_MEMORY", "PENDING", "PENDING", "PENDING"], a.Select(j => j.State));
        Assert.Equal("1:0", a[1].ExitCode);
        Assert.Equal("NonZeroExitCode", a[1].Reason);
        Assert.Equal([false, true, true, true, false, false, false], a.Select(j => j.IsFailure));
    }

    /// <summary>A fake cluster: records commands, answers sbatch with increasing ids, can reject the N-th sbatch.</summary>
    sealed class FakeSlurm(int rejectSbatch = 0, string partitions = "debug\ngpu\n", bool hasSbatch = true, string squeue = "", int squeueFailures = 0) : ISlurmCommands
    {
        public List<string> Calls { get; } = [];
        int sbatches, squeues, nextId = 100;
        public bool Has(string command) => hasSbatch || command != "sbatch";
        public CommandResult Run(string command, params string[] args)
        {
            Calls.Add($"{command} {string.Join(' ', args)}");
            return command switch
            {
                "sbatch" when ++sbatches == rejectSbatch => new CommandResult(1, "", "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n"),
                "sbatch" => new CommandResult(0, $"{nextId++}\n", ""),
                "sinfo" => new CommandResult(0, partitions, ""),
                "squeue" when ++squeues <= squeueFailures => new CommandResult(1, "", "squeue: error: slurm_load_jobs error: Socket timed out on send/recv operation\n"),
                "squeue" => new CommandResult(0, squeue, ""),
                _ => new CommandResult(0, "", ""),
            };
        }
    }

    static SubmitRequest Request(string run, string? partition = null) => new()
    {
        Jobs = Jobs(run: run), Resources = new SlurmResources { Partition = partition, MaxParallel = 2 }, AllIndices = [0, 1, 2, 3],
    };

    [Fact]
    public void Submission_is_all_held_then_released_and_recorded()
    {
        var run = TestSupport.TempDirectory();
        var slurm = new FakeSlurm();
        var result = SlurmSubmitter.Submit(Request(run, "gpu"), slurm, dryRun: false);
        var sbatch = slurm.Calls.Where(c => c.StartsWith("sbatch", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, sbatch.Count);
        Assert.All(sbatch, c => Assert.StartsWith("sbatch --parsable --hold", c));
        Assert.Contains("--dependency=afterok:100 --kill-on-invalid-dep=yes", sbatch[1]);
        Assert.Contains("--dependency=afterany:101", sbatch[2]);
        Assert.Equal("scontrol release 100,101,102", slurm.Calls.Last());
        var recorded = Assert.Single(SlurmSubmission.ReadAll(run));
        Assert.Equal(("100", "101", "102", "0-3%2"), (recorded.PrepareJob, recorded.UnitsJob, recorded.FinalizeJob, recorded.ArraySpec));
        Assert.True(File.Exists(Path.Combine(recorded.ScriptDirectory, "units.sbatch")));
        Assert.Equal(result.UnitsScript, File.ReadAllText(Path.Combine(recorded.ScriptDirectory, "units.sbatch")));
    }

    [Fact]
    public void A_rejected_submission_cancels_what_was_accepted_and_says_why()
    {
        var run = TestSupport.TempDirectory();
        var slurm = new FakeSlurm(rejectSbatch: 2);
        var e = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(run), slurm, dryRun: false));
        Assert.Contains("sbatch rejected units.sbatch", e.Message);
        Assert.Contains("Invalid account", e.Message);
        Assert.Contains("nothing was submitted", e.Message);
        Assert.Contains("scancel 100", slurm.Calls);
        Assert.DoesNotContain(slurm.Calls, c => c.StartsWith("scontrol release", StringComparison.Ordinal));
        Assert.Empty(SlurmSubmission.ReadAll(run));
    }

    [Fact]
    public void Missing_sbatch_and_unknown_partitions_are_one_line_errors()
    {
        var noSbatch = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(TestSupport.TempDirectory()), new FakeSlurm(hasSbatch: false), false));
        Assert.StartsWith("sbatch not found on PATH", noSbatch.Message);
        Assert.Contains("--jobs", noSbatch.Message);
        var slurm = new FakeSlurm();
        var badPartition = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(TestSupport.TempDirectory(), "gpux"), slurm, false));
        Assert.Equal("--partition: unknown partition 'gpux'; this cluster has debug, gpu (see `sinfo`).", badPartition.Message);
        Assert.DoesNotContain(slurm.Calls, c => c.StartsWith("sbatch", StringComparison.Ordinal));
        Assert.DoesNotContain("\n", noSbatch.Message + badPartition.Message);
    }

    [Fact]
    public void Resubmission_skips_done_and_queued_units_and_refuses_when_nothing_is_left()
    {
        var run = TestSupport.TempDirectory();
        var first = new FakeSlurm();
        SlurmSubmitter.Submit(Request(run), first, false);
        // Unit 0 finished ok; array tasks 1 and 2 still queued or running; 3 was lost (not in the queue, no result).
        var plan = Enumerable.Range(0, 4).Select(i => new Harness.Sweep.SweepUnit($"key{i}", i, "s", TestSupport.TinyModel(), "b", 1000, "scratch", 1)).ToList();
        RunPlan.Write(run, plan);
        new Harness.Sweep.RunFolder(run).WriteUnit(new Harness.Results.RunRow { UnitKey = "key0", Status = Harness.Results.RunRowStatus.Ok }, [], []);
        var second = new FakeSlurm(squeue: "101_1|RUNNING|None|n1\n101_2|PENDING|Priority|\n999_3|RUNNING|None|n2\n");
        var result = SlurmSubmitter.Submit(Request(run), second, false);
        Assert.Equal([3], result.Submitted);
        Assert.Equal([0], result.SkippedDone);
        Assert.Equal([1, 2], result.SkippedActive);
        Assert.Contains("#SBATCH --array=3%2", result.UnitsScript);
        Assert.Equal(2, SlurmSubmission.ReadAll(run).Count);

        // Everything done or queued: refused, and nothing submitted.
        var third = new FakeSlurm(squeue: "101_1|RUNNING|None|n1\n101_2|PENDING|Priority|\n101_3|PENDING|Priority|\n");
        var e = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(run), third, false));
        Assert.Contains("nothing to submit", e.Message);
        Assert.DoesNotContain(third.Calls, c => c.StartsWith("sbatch", StringComparison.Ordinal));
    }

    [Fact]
    public void A_silent_controller_is_retried_and_never_taken_for_an_empty_queue()
    {
        SlurmQueries.RetryDelay = TimeSpan.FromMilliseconds(1);
        var run = TestSupport.TempDirectory();
        SlurmSubmitter.Submit(Request(run), new FakeSlurm(), false);
        RunPlan.Write(run, Enumerable.Range(0, 4).Select(i => new Harness.Sweep.SweepUnit($"key{i}", i, "s", TestSupport.TinyModel(), "b", 1000, "scratch", 1)).ToList());
        const string queued = "101_0|RUNNING|None|n1\n101_1|RUNNING|None|n1\n101_[2-3%2]|PENDING|JobArrayTaskLimit|\n";

        // squeue times out twice, then answers: the retry sees every unit queued, so nothing is submitted.
        var flaky = new FakeSlurm(squeue: queued, squeueFailures: 2);
        var e = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(run), flaky, false));
        Assert.Contains("nothing to submit", e.Message);
        Assert.Equal(3, flaky.Calls.Count(c => c.StartsWith("squeue", StringComparison.Ordinal)));

        // squeue never answers: refused with the reason, not a second copy of four queued units.
        var silent = new FakeSlurm(squeue: queued, squeueFailures: 99);
        var refused = Assert.Throws<UserInputException>(() => SlurmSubmitter.Submit(Request(run), silent, false));
        Assert.Contains("cannot tell which units", refused.Message);
        Assert.Contains("Socket timed out", refused.Message);
        Assert.DoesNotContain(silent.Calls, c => c.StartsWith("sbatch", StringComparison.Ordinal));
        Assert.Single(SlurmSubmission.ReadAll(run));
    }

    [Fact]
    public void Cancel_touches_only_this_runs_recorded_jobs_still_in_the_queue()
    {
        var run = TestSupport.TempDirectory();
        SlurmSubmitter.Submit(Request(run), new FakeSlurm(), false);        // jobs 100 (prepare), 101 (array), 102 (finalize)
        // In the queue: our array's tasks and finalize, plus someone else's job 555; prepare has finished.
        var slurm = new FakeSlurm(squeue: "101_2|RUNNING|None|n1\n101_3|PENDING|JobArrayTaskLimit|\n102|PENDING|Dependency|\n555|RUNNING|None|n2\n");
        var cancelled = SlurmSubmitter.Cancel(run, slurm);
        Assert.Equal(["101", "102"], cancelled);
        Assert.Equal("scancel 101 102", slurm.Calls.Single(c => c.StartsWith("scancel", StringComparison.Ordinal)));
        Assert.Empty(SlurmSubmitter.Cancel(TestSupport.TempDirectory(), slurm));   // no submissions: nothing to do
    }

    [Fact]
    public void Status_without_slurm_reads_the_run_folder()
    {
        var run = TestSupport.TempDirectory();
        var plan = Enumerable.Range(0, 4).Select(i => new Harness.Sweep.SweepUnit($"key{i}", i, "s", TestSupport.TinyModel(), "b", 1000, "scratch", i)).ToList();
        RunPlan.Write(run, plan);
        var folder = new Harness.Sweep.RunFolder(run);
        folder.WriteUnit(new Harness.Results.RunRow { UnitKey = "key0", Status = Harness.Results.RunRowStatus.Ok, ValLoss = 2.5, TokensPerSecond = 1000 }, [], []);
        folder.WriteUnit(new Harness.Results.RunRow { UnitKey = "key1", Status = Harness.Results.RunRowStatus.Failed, FailureReason = "training loss became NaN at step 3" }, [], []);
        using (var hb = UnitHeartbeat.Start(folder, "key2", 1, "7_2")) hb.Progress(12, 30, 4321);
        using (var hb = UnitHeartbeat.Start(folder, "key3", 0, "7_3"))
            hb.Finish("preempted", "SIGUSR1: checkpointed at step 20", r => r with { InterruptSignal = "SIGUSR1", CheckpointStep = 20 });
        var report = RunStatusReader.Read(run, slurm: null);
        Assert.Equal(["done", "failed", "running (resumed)", "requeued"], report.Units.Select(u => u.State));
        Assert.Contains("NaN", report.Units[1].Detail);
        Assert.Equal((Environment.MachineName, 12, 30, 4321.0, 1), (report.Units[2].Host, report.Units[2].Step, report.Units[2].TotalSteps, report.Units[2].TokensPerSecond, report.Units[2].Restarts));
        Assert.Contains("step 20 after SIGUSR1", report.Units[3].Detail);
    }
}
