using Harness.Results;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Harness.Sweep.Slurm;

namespace Harness.Sweep.Execution;

/// <summary>
/// The work an executor runs: the worker protocol shared by every executor.  A Slurm array task is one process,
/// `harness worker unit CONFIG --index I`, which trains launch I (a unit, or a WSD trunk and its branches), writes only
/// units/KEY/ and exits 0 (finished), 75 (checkpointed after a signal: run it again to resume) or 76 (its unit is claimed
/// by a live process elsewhere: try again later).  A local worker is long-lived, `harness worker serve CONFIG`: it
/// prepares data and teacher once, then trains each launch index it reads on standard input and answers with
/// <see cref="LaunchDoneMarker"/>, the index and the same code.  Internal errors are retried inside the worker
/// (run.retries) before the unit gets a failed row.  `worker prepare` runs before the units and `worker finalize` after them.
/// </summary>
public sealed record SweepWorkload
{
    /// <summary>The line a serving worker writes when a launch ends: the marker, the launch index and its exit code.</summary>
    public const string LaunchDoneMarker = "@@harness-launch-done";

    /// <summary>What a serving worker writes once its data, teacher and scoring are loaded (before its first launch).</summary>
    public const string WorkerReady = "worker ready: data and teacher loaded once for every launch of this process";

    /// <summary>The harness command (dotnet + harness.dll, absolute paths).</summary>
    public required IReadOnlyList<string> Harness { get; init; }
    public required string ConfigPath { get; init; }
    public required string RunDirectory { get; init; }
    public string? ResultsRoot { get; init; }
    public required string WorkingDirectory { get; init; }
    public string Device { get; init; } = "auto";
    public required IReadOnlyList<int> UnitIndices { get; init; }

    public IReadOnlyList<string> UnitArguments(int index, int threads) =>
        [.. Harness.Skip(1), "worker", "unit", ConfigPath, .. ResultsArguments, "--index", Invariant(index), "--device", Device, "--threads", Invariant(threads)];

    /// <summary>A long-lived local worker (`harness worker serve`).</summary>
    public IReadOnlyList<string> ServeArguments(int threads) =>
        [.. Harness.Skip(1), "worker", "serve", ConfigPath, .. ResultsArguments, "--device", Device, "--threads", Invariant(threads)];

    string[] ResultsArguments => ResultsRoot is null ? [] : ["--out", ResultsRoot];

    static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>How the units of one launch ended.</summary>
public sealed record ExecutorReport(IReadOnlyList<int> Finished, IReadOnlyList<(int Index, string Reason)> Failed, IReadOnlyList<int> Interrupted, bool Cancelled);

/// <summary>Runs units: here as worker processes, or on Slurm as a job array.</summary>
public interface ISweepExecutor
{
    ExecutorReport Launch(SweepWorkload work, CancellationToken cancellation);
}

/// <summary>
/// `harness run CONFIG --jobs N`: N long-lived worker processes on this machine (`harness worker serve`), each with
/// <see cref="Threads"/> libtorch threads, each preparing data and loading the teacher once and then training one
/// launch after another from this executor's queue.  A launch that ends 75 or 76 is queued again (at most
/// <see cref="MaxLaunches"/> times); a worker that dies is replaced.  SIGTERM on cancellation makes the running launches
/// checkpoint at their next step boundary.  Each launch's output goes to logs/unit-INDEX.log, a worker's own to
/// logs/worker-N.log.
/// </summary>
public sealed class LocalExecutor(int jobs, int threads, Action<string>? log = null) : ISweepExecutor
{
    public int Jobs { get; } = Math.Max(1, jobs);
    public int Threads { get; } = Math.Max(1, threads);
    /// <summary>Launches per unit before the executor gives up on it.</summary>
    public int MaxLaunches { get; init; } = 6;

    public ExecutorReport Launch(SweepWorkload work, CancellationToken cancellation)
    {
        var queue = new Queue<int>(work.UnitIndices);
        var workers = new List<Worker>();
        var launches = new Dictionary<int, int>();
        var finished = new List<int>();
        var failed = new List<(int, string)>();
        var interrupted = new List<int>();
        var logs = new RunFolderLayout(work.RunDirectory).Logs;
        Directory.CreateDirectory(logs);
        bool cancelSent = false;
        int started = 0;
        // A worker that dies with no launch in flight (bad config, out of memory at load) is replaced; this many times at most.
        int maxStarts = Jobs + work.UnitIndices.Count * MaxLaunches;

        void Ended(int unit, int code, Worker worker)
        {
            switch (code)
            {
                case 0: finished.Add(unit); log?.Invoke($"unit {unit}: finished (worker {worker.Number})"); break;
                case SlurmScripts.ExitInterrupted when cancellation.IsCancellationRequested:
                    interrupted.Add(unit); log?.Invoke($"unit {unit}: checkpointed and stopped"); break;
                case SlurmScripts.ExitInterrupted or SlurmScripts.ExitRetry when launches[unit] < MaxLaunches:
                    log?.Invoke($"unit {unit}: exited {code} ({(code == SlurmScripts.ExitRetry ? "claimed elsewhere" : "interrupted")}); starting it again");
                    queue.Enqueue(unit); break;
                default:
                    var reason = $"worker exited {code}; see {new RunFolderLayout(work.RunDirectory).WorkerLog(unit)}";
                    failed.Add((unit, reason)); log?.Invoke($"unit {unit}: {reason}"); break;
            }
        }

        try
        {
            while (queue.Count > 0 || workers.Any(w => w.Current is not null))
            {
                if (cancellation.IsCancellationRequested && !cancelSent)
                {
                    cancelSent = true;
                    foreach (var w in workers) Signal(w.Process.Id, 15);
                }
                bool progressed = false;
                foreach (var w in workers.ToList())
                {
                    while (w.TryTakeDone(out var done))
                    {
                        if (w.Current != done.Index) continue;   // not ours to count (cannot happen with one launch at a time)
                        w.Current = null;
                        Ended(done.Index, done.Code, w);
                        progressed = true;
                    }
                    if (!w.Process.HasExited) continue;
                    w.Process.WaitForExit();   // the rest of its output, including a last marker
                    while (w.TryTakeDone(out var done))
                        if (w.Current == done.Index) { w.Current = null; Ended(done.Index, done.Code, w); }
                    if (w.Current is { } lost) Ended(lost, w.Process.ExitCode, w);
                    log?.Invoke($"worker {w.Number} exited {w.Process.ExitCode}");
                    w.Dispose();
                    workers.Remove(w);
                    progressed = true;
                }
                if (!cancellation.IsCancellationRequested)
                {
                    while (workers.Count < Jobs && queue.Count > 0 && started < maxStarts)
                    {
                        workers.Add(Worker.Start(work, Threads, ++started, logs));
                        log?.Invoke($"worker {started} started ({workers.Count}/{Jobs} running, {queue.Count} launch(es) queued)");
                    }
                    foreach (var w in workers.Where(w => w.Current is null && !w.Process.HasExited))
                    {
                        if (queue.Count == 0) break;
                        int index = queue.Dequeue();
                        launches[index] = launches.GetValueOrDefault(index) + 1;
                        w.Assign(index);
                        log?.Invoke($"unit {index}: given to worker {w.Number} ({queue.Count} queued)");
                        progressed = true;
                    }
                    if (workers.Count == 0 && queue.Count > 0)
                    {
                        foreach (var index in queue) failed.Add((index, $"no worker could start; see {logs}"));
                        queue.Clear();
                    }
                }
                else if (workers.All(w => w.Current is null)) break;
                if (!progressed) Thread.Sleep(50);
            }
            // Done: end of input tells idle workers to exit.
            foreach (var w in workers) w.CloseInput();
            foreach (var w in workers)
                if (!w.Process.WaitForExit(TimeSpan.FromSeconds(30))) w.Process.Kill();
        }
        finally
        {
            foreach (var w in workers) { if (!w.Process.HasExited) w.Process.Kill(); w.Dispose(); }
        }
        return new ExecutorReport(finished, failed, interrupted, cancellation.IsCancellationRequested);
    }

    /// <summary>One `harness worker serve` process: its launch in flight, the launch-done lines it wrote, and its logs.</summary>
    sealed class Worker : IDisposable
    {
        readonly Lock gate = new();
        readonly Queue<(int Index, int Code)> done = new();
        readonly string logs;
        StreamWriter log;
        bool ready;

        Worker(Process process, int number, string logs)
        {
            Process = process;
            Number = number;
            this.logs = logs;
            log = Open(Path.Combine(logs, $"worker-{number}.log"));
        }

        public Process Process { get; }
        public int Number { get; }
        /// <summary>The launch it trains now (null: idle).</summary>
        public int? Current { get; set; }

        public static Worker Start(SweepWorkload work, int threads, int number, string logs)
        {
            var psi = new ProcessStartInfo(work.Harness[0])
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work.WorkingDirectory,
            };
            foreach (var a in work.ServeArguments(threads)) psi.ArgumentList.Add(a);
            var worker = new Worker(new Process { StartInfo = psi }, number, logs);
            worker.Process.OutputDataReceived += (_, e) => worker.Line(e.Data);
            worker.Process.ErrorDataReceived += (_, e) => worker.Line(e.Data);
            worker.Process.Start();
            worker.Process.BeginOutputReadLine();
            worker.Process.BeginErrorReadLine();
            return worker;
        }

        /// <summary>Gives it launch <paramref name="index"/>: its output, once it is ready, goes to that launch's log until it
        /// reports the end (what it writes while loading stays in its own log).</summary>
        public void Assign(int index)
        {
            lock (gate)
            {
                Current = index;
                if (ready) LogTo($"unit-{index}.log");
            }
            Process.StandardInput.WriteLine(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Process.StandardInput.Flush();
        }

        public bool TryTakeDone(out (int Index, int Code) launch)
        {
            lock (gate) return done.TryDequeue(out launch);
        }

        public void CloseInput()
        {
            try { Process.StandardInput.Close(); } catch (IOException) { }
        }

        void Line(string? line)
        {
            if (line is null) return;
            lock (gate)
            {
                var parts = line.Split(' ');
                if (parts.Length == 3 && parts[0] == SweepWorkload.LaunchDoneMarker &&
                    int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var index) &&
                    int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var code))
                {
                    done.Enqueue((index, code));
                    LogTo($"worker-{Number}.log");
                    return;
                }
                log.WriteLine(line);
                if (!ready && line.Contains(SweepWorkload.WorkerReady, StringComparison.Ordinal))
                {
                    ready = true;
                    if (Current is { } launch) LogTo($"unit-{launch}.log");
                }
            }
        }

        void LogTo(string file)
        {
            log.Dispose();
            log = Open(Path.Combine(logs, file));
        }

        static StreamWriter Open(string path) => new(path, append: true) { AutoFlush = true };

        public void Dispose()
        {
            lock (gate) log.Dispose();
            Process.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int signal);

    /// <summary>Sends a POSIX signal (15 = SIGTERM, 10 = SIGUSR1 on Linux).</summary>
    public static void Signal(int pid, int signal)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) SysKill(pid, signal);
    }
}
