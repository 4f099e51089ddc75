using System.Diagnostics;

namespace Harness.Sweep.Slurm;

public sealed record CommandResult(int ExitCode, string StdOut, string StdErr)
{
    public string FirstError => (StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
                                 ?? StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {ExitCode}");
}

/// <summary>Runs Slurm's client commands; a seam so tests can fake a cluster.</summary>
public interface ISlurmCommands
{
    /// <summary>True when the command is on PATH.</summary>
    bool Has(string command);
    CommandResult Run(string command, params string[] args);
}

/// <summary>The real client commands (sbatch, squeue, sacct, scancel, scontrol, sinfo) from PATH.</summary>
public sealed class SlurmCommands : ISlurmCommands
{
    public static SlurmCommands Instance { get; } = new();

    public bool Has(string command) => Which(command) is not null;

    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists);

    public CommandResult Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(Which(command) ?? command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            return new CommandResult(124, stdout.Result, $"{command} did not answer within 60 s");
        }
        return new CommandResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>One job or array task as squeue/sacct show it.</summary>
public sealed record SlurmJobState(string JobId, int? TaskId, string State, string Reason, string Nodes, string ExitCode = "")
{
    public bool IsQueuedOrRunning => State is "PENDING" or "RUNNING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "CONFIGURING"
        or "COMPLETING" or "SUSPENDED" or "RESIZING" or "SIGNALING" or "STAGE_OUT" or "RESV_DEL_HOLD";
    public bool IsFailure => State is "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY" or "NODE_FAIL" or "BOOT_FAIL" or "DEADLINE" or "PREEMPTED";
}

/// <summary>Parses squeue and sacct output in the formats <see cref="SlurmQueries"/> asks for.</summary>
public static class SlurmParsers
{
    /// <summary>squeue -h -r -o "%i|%T|%r|%N": one line per job or array element ("123_4"; "123_[5-7%2]" ranges are expanded).</summary>
    public static List<SlurmJobState> Squeue(string output) => Parse(output, hasExitCode: false);

    /// <summary>sacct -n -P -X -o JobID,State,ExitCode,NodeList,Reason ("CANCELLED by 0" → CANCELLED).</summary>
    public static List<SlurmJobState> Sacct(string output) => Parse(output, hasExitCode: true);

    static List<SlurmJobState> Parse(string output, bool hasExitCode)
    {
        var list = new List<SlurmJobState>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var f = line.Split('|');
            if (f.Length < 2) continue;
            var state = f[1].Trim().Split(' ')[0].TrimEnd('+');
            string exit = hasExitCode && f.Length > 2 ? f[2].Trim() : "";
            string nodes = hasExitCode ? (f.Length > 3 ? f[3].Trim() : "") : (f.Length > 3 ? f[3].Trim() : "");
            string reason = hasExitCode ? (f.Length > 4 ? f[4].Trim() : "") : (f.Length > 2 ? f[2].Trim() : "");
            var id = f[0].Trim();
            var us = id.IndexOf('_');
            if (us < 0) { list.Add(new SlurmJobState(id, null, state, reason, nodes, exit)); continue; }
            var job = id[..us];
            var task = id[(us + 1)..];
            if (task.StartsWith('['))
            {
                foreach (var t in ExpandRanges(task.Trim('[', ']').Split('%')[0]))
                    list.Add(new SlurmJobState(job, t, state, reason, nodes, exit));
            }
            else if (int.TryParse(task, out var t))
                list.Add(new SlurmJobState(job, t, state, reason, nodes, exit));
        }
        return list;
    }

    /// <summary>"0-3,5" → 0,1,2,3,5 (also ":step" forms, "1-9:2").</summary>
    public static IEnumerable<int> ExpandRanges(string spec)
    {
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var stepSplit = part.Split(':');
            int step = stepSplit.Length > 1 && int.TryParse(stepSplit[1], out var s) && s > 0 ? s : 1;
            var bounds = stepSplit[0].Split('-');
            if (!int.TryParse(bounds[0], out var lo)) continue;
            int hi = bounds.Length > 1 && int.TryParse(bounds[1], out var h) ? h : lo;
            for (int i = lo; i <= hi; i += step) yield return i;
        }
    }
}

/// <summary>Queries for the jobs of one run (by the ids its submissions recorded).</summary>
public static class SlurmQueries
{
    /// <summary>Jobs of ours in the queue, or null when squeue is not installed or keeps failing (a busy controller
    /// answers again within seconds, so a failure is retried twice before giving up).</summary>
    public static List<SlurmJobState>? Queue(ISlurmCommands slurm, IEnumerable<string> jobIds) =>
        TryQueue(slurm, jobIds, out var jobs, out _) ? jobs : null;

    /// <summary>As <see cref="Queue"/>, but a decision that must not mistake a silent controller for an empty queue
    /// (what to submit again) gets an error: true with the jobs; false with the reason when squeue is missing or failed.</summary>
    public static bool TryQueue(ISlurmCommands slurm, IEnumerable<string> jobIds, out List<SlurmJobState> jobs, out string error)
    {
        jobs = [];
        if (!slurm.Has("squeue")) { error = "squeue is not on PATH"; return false; }
        var ids = jobIds.ToHashSet();
        error = "";
        for (int attempt = 1; attempt <= QueueAttempts; attempt++)
        {
            var r = slurm.Run("squeue", "--me", "-h", "-r", "-o", "%i|%T|%r|%N");
            if (r.ExitCode == 0)
            {
                jobs = SlurmParsers.Squeue(r.StdOut).Where(j => ids.Contains(j.JobId)).ToList();
                return true;
            }
            error = $"squeue failed {attempt} time(s): {r.FirstError}";
            if (attempt < QueueAttempts) Thread.Sleep(RetryDelay * attempt);
        }
        return false;
    }

    const int QueueAttempts = 3;
    public static TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Accounting records, or null when sacct is unavailable or accounting storage is disabled.</summary>
    public static List<SlurmJobState>? Accounting(ISlurmCommands slurm, IReadOnlyCollection<string> jobIds)
    {
        if (jobIds.Count == 0 || !slurm.Has("sacct")) return null;
        var r = slurm.Run("sacct", "-n", "-P", "-X", "-j", string.Join(",", jobIds), "-o", "JobID,State,ExitCode,NodeList,Reason");
        if (r.ExitCode != 0 || r.StdErr.Contains("disabled", StringComparison.OrdinalIgnoreCase)) return null;
        return SlurmParsers.Sacct(r.StdOut);
    }
}
