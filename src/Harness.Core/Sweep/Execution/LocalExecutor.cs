using System.Diagnostics;
using System.Runtime.InteropServices;
using Harness.Sweep.Slurm;

namespace Harness.Sweep.Execution;

/// <summary>
/// The work an executor runs: the worker protocol shared by every executor.  Each unit is one process,
/// `harness worker unit CONFIG --index I`, which writes only units/KEY/ and exits 0 (finished), 75 (checkpointed after a
/// signal: run it again to resume) or 76 (its unit is claimed by a live process elsewhere: try again later); internal
/// errors are retried inside the worker (run.retries) before the unit gets a failed row.  `worker prepare` runs before the
/// units and `worker finalize` after them.
/// </summary>
public sealed record SweepWorkload
{
    /// <summary>The harness command (dotnet + harness.dll, absolute paths).</summary>
    public required IReadOnlyList<string> Harness { get; init; }
    public required string ConfigPath { get; init; }
    public required string RunDirectory { get; init; }
    public string? ResultsRoot { get; init; }
    public required string WorkingDirectory { get; init; }
    public string Device { get; init; } = "auto";
    public required IReadOnlyList<int> UnitIndices { get; init; }

    public IReadOnlyList<string> UnitArguments(int index, int threads) =>
        [.. Harness.Skip(1), "worker", "unit", ConfigPath, .. ResultsRoot is null ? Array.Empty<string>() : ["--out", ResultsRoot],
         "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--device", Device, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}

/// <summary>How the units of one launch ended.</summary>
public sealed record ExecutorReport(IReadOnlyList<int> Finished, IReadOnlyList<(int Index, string Reason)> Failed, IReadOnlyList<int> Interrupted, bool Cancelled);

/// <summary>Runs units: here as worker processes, or on Slurm as a job array.</summary>
public interface ISweepExecutor
{
    ExecutorReport Launch(SweepWorkload work, CancellationToken cancellation);
}

/// <summary>
/// `harness run CONFIG --jobs N`: N unit worker processes at a time on this machine, each with <see cref="Threads"/>
/// libtorch threads.  A worker that exits 75 or 76 is started again; SIGTERM on cancellation makes the
/// running ones checkpoint at their next step boundary.
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
        var running = new Dictionary<Process, int>();
        var launches = new Dictionary<int, int>();
        var finished = new List<int>();
        var failed = new List<(int, string)>();
        var interrupted = new List<int>();
        var logs = Path.Combine(work.RunDirectory, "logs");
        Directory.CreateDirectory(logs);
        bool cancelSent = false;
        try
        {
            while (queue.Count > 0 || running.Count > 0)
            {
                if (cancellation.IsCancellationRequested && !cancelSent)
                {
                    cancelSent = true;
                    foreach (var p in running.Keys) Signal(p.Id, 15);
                }
                while (!cancellation.IsCancellationRequested && running.Count < Jobs && queue.Count > 0)
                {
                    int index = queue.Dequeue();
                    launches[index] = launches.GetValueOrDefault(index) + 1;
                    running[Start(work, index, Path.Combine(logs, $"unit-{index}.log"))] = index;
                    log?.Invoke($"unit {index}: worker started ({running.Count}/{Jobs} running, {queue.Count} queued)");
                }
                var exited = running.Keys.FirstOrDefault(p => p.HasExited);
                if (exited is null) { Thread.Sleep(100); continue; }
                int unit = running[exited];
                running.Remove(exited);
                exited.WaitForExit();
                int code = exited.ExitCode;
                exited.Dispose();
                switch (code)
                {
                    case 0: finished.Add(unit); log?.Invoke($"unit {unit}: finished"); break;
                    case SlurmScripts.ExitInterrupted when cancellation.IsCancellationRequested:
                        interrupted.Add(unit); log?.Invoke($"unit {unit}: checkpointed and stopped"); break;
                    case SlurmScripts.ExitInterrupted or SlurmScripts.ExitRetry when launches[unit] < MaxLaunches:
                        log?.Invoke($"unit {unit}: worker exited {code} ({(code == SlurmScripts.ExitRetry ? "claimed elsewhere" : "interrupted")}); starting it again");
                        queue.Enqueue(unit); break;
                    default:
                        var reason = $"worker exited {code}; see {Path.Combine(logs, $"unit-{unit}.log")}";
                        failed.Add((unit, reason)); log?.Invoke($"unit {unit}: {reason}"); break;
                }
            }
        }
        finally
        {
            foreach (var p in running.Keys) { if (!p.HasExited) p.Kill(); p.Dispose(); }
        }
        return new ExecutorReport(finished, failed, interrupted, cancellation.IsCancellationRequested);
    }

    Process Start(SweepWorkload work, int index, string logPath)
    {
        var psi = new ProcessStartInfo(work.Harness[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work.WorkingDirectory };
        foreach (var a in work.UnitArguments(index, Threads)) psi.ArgumentList.Add(a);
        return StartLogged(psi, logPath);
    }

    static Process StartLogged(ProcessStartInfo psi, string logPath)
    {
        var writer = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var gate = new Lock();
        void Append(string? line) { if (line is null) return; lock (gate) writer.WriteLine(line); }
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.Exited += (_, _) => { p.WaitForExit(); lock (gate) writer.Dispose(); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int signal);

    /// <summary>Sends a POSIX signal (15 = SIGTERM, 10 = SIGUSR1 on Linux).</summary>
    public static void Signal(int pid, int signal)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) SysKill(pid, signal);
    }
}
