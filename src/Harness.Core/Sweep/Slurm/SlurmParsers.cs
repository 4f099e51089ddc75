namespace Harness.Sweep.Slurm;

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
