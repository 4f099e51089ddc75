namespace Harness.Sweep.Slurm;

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
