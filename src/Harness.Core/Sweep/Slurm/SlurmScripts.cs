using System.Globalization;
using System.Text;

namespace Harness.Sweep.Slurm;

/// <summary>Resources asked of Slurm, per unit (one array task = one unit = one Slurm task).</summary>
public sealed record SlurmResources
{
    public string? Partition { get; init; }
    public int GpusPerUnit { get; init; }
    public int CpusPerUnit { get; init; } = 1;
    /// <summary>Memory per unit in Slurm's syntax (e.g. 4G); null = the partition's default.</summary>
    public string? Mem { get; init; }
    public TimeSpan UnitTime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan PrepareTime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan FinalizeTime { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Array throttle (%K): at most this many units at once; null = no throttle.</summary>
    public int? MaxParallel { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    /// <summary>Seconds before the time limit at which Slurm sends SIGUSR1 to the batch shell (--signal=B:USR1@N).</summary>
    public int SignalMarginSeconds { get; init; } = 300;
}

/// <summary>Everything the three scripts need besides resources.</summary>
public sealed record SlurmJobSet
{
    /// <summary>Job-name prefix, unique per run folder (harness-EXPERIMENT-CONFIGHASH).</summary>
    public required string Name { get; init; }
    public required string RunDirectory { get; init; }
    /// <summary>Folder the jobs start in (the repository root: config paths are relative to it).</summary>
    public required string WorkingDirectory { get; init; }
    /// <summary>The harness executable (and its dll when run through `dotnet`), as absolute paths on shared storage.</summary>
    public required IReadOnlyList<string> Harness { get; init; }
    public required string ConfigPath { get; init; }
    public string? ResultsRoot { get; init; }
    public required IReadOnlyList<int> UnitIndices { get; init; }
    public bool FillCache { get; init; }
    public string Device { get; init; } = "auto";
    public required string LogDirectory { get; init; }
}

/// <summary>
/// Writes the three sbatch scripts of a submission: prepare (data, tokenizer, teacher, optional cache fill), the unit
/// array (one unit per task, `--requeue`, `--signal=B:USR1@margin`, throttled with %K) and finalize (collect,
/// estimate, report; non-zero exit when a unit failed).  Dependencies are given on the sbatch command line, since
/// job ids exist only at submission; <see cref="SubmitCommands"/> writes them down.
/// </summary>
public static class SlurmScripts
{
    /// <summary>Exit code of a unit worker that checkpointed after a signal (EX_TEMPFAIL).</summary>
    public const int ExitInterrupted = 75;
    /// <summary>Exit code of a unit worker that could not start (its unit is claimed by a live process elsewhere): try again later.</summary>
    public const int ExitRetry = 76;

    /// <summary>"0-3,5,7-9" from indices (sorted, de-duplicated), plus "%K" when throttled.</summary>
    public static string ArraySpec(IReadOnlyList<int> indices, int? maxParallel)
    {
        if (indices.Count == 0) throw new ArgumentException("an array needs at least one index", nameof(indices));
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts) + (maxParallel is > 0 ? $"%{maxParallel}" : "");
    }

    /// <summary>Slurm's HH:MM:SS (hours may exceed 24).</summary>
    public static string FormatTime(TimeSpan t)
    {
        var s = (long)Math.Ceiling(t.TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}");
    }

    /// <summary>Parses HH:MM:SS, MM:SS, D-HH:MM:SS or minutes, as --time accepts them; null when malformed.</summary>
    public static TimeSpan? ParseTime(string text)
    {
        text = text.Trim();
        int days = 0;
        var dash = text.IndexOf('-');
        if (dash > 0)
        {
            if (!int.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out days)) return null;
            text = text[(dash + 1)..];
        }
        var parts = text.Split(':');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit))) return null;
        var n = parts.Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        TimeSpan value = (dash > 0, n.Length) switch
        {
            (false, 1) => TimeSpan.FromMinutes(n[0]),
            (false, 2) => TimeSpan.FromMinutes(n[0]) + TimeSpan.FromSeconds(n[1]),
            (_, 3) => TimeSpan.FromHours(n[0]) + TimeSpan.FromMinutes(n[1]) + TimeSpan.FromSeconds(n[2]),
            (true, 1) => TimeSpan.FromHours(n[0]),
            (true, 2) => TimeSpan.FromHours(n[0]) + TimeSpan.FromMinutes(n[1]),
            _ => TimeSpan.Zero,
        };
        value += TimeSpan.FromDays(days);
        return value > TimeSpan.Zero ? value : null;
    }

    /// <summary>Single-quotes a word for bash.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    static void Header(StringBuilder b, string jobName, SlurmJobSet set, SlurmResources r, TimeSpan time, string logName, int cpus, int gpus, string? mem)
    {
        b.AppendLine("#!/bin/bash");
        b.AppendLine($"#SBATCH --job-name={jobName}");
        b.AppendLine($"#SBATCH --chdir={Quote(set.WorkingDirectory)}");
        b.AppendLine($"#SBATCH --output={Quote(Path.Combine(set.LogDirectory, logName))}");
        b.AppendLine("#SBATCH --open-mode=append");
        b.AppendLine($"#SBATCH --time={FormatTime(time)}");
        b.AppendLine("#SBATCH --nodes=1");
        b.AppendLine("#SBATCH --ntasks=1");
        b.AppendLine($"#SBATCH --cpus-per-task={cpus}");
        if (gpus > 0) b.AppendLine($"#SBATCH --gres=gpu:{gpus}");
        if (mem is not null) b.AppendLine($"#SBATCH --mem={mem}");
        if (r.Partition is not null) b.AppendLine($"#SBATCH --partition={r.Partition}");
        if (r.Account is not null) b.AppendLine($"#SBATCH --account={r.Account}");
        if (r.Qos is not null) b.AppendLine($"#SBATCH --qos={r.Qos}");
    }

    static string HarnessLine(SlurmJobSet set) => string.Join(" ", set.Harness.Select(Quote));

    static string CommonArgs(SlurmJobSet set) =>
        Quote(set.ConfigPath) + (set.ResultsRoot is null ? "" : $" --out {Quote(set.ResultsRoot)}");

    public static string Prepare(SlurmJobSet set, SlurmResources r)
    {
        var b = new StringBuilder();
        Header(b, $"{set.Name}-prepare", set, r, r.PrepareTime, "prepare-%j.out", r.CpusPerUnit, r.GpusPerUnit, r.Mem);
        b.AppendLine("#SBATCH --requeue");
        b.AppendLine($"# harness submit: prepare stage of {set.RunDirectory}");
        b.AppendLine("# data, tokenizer and token cache, the teacher (trained when missing), its benchmark scores, plan.json"
                     + (set.FillCache ? ", and every window of the teacher-logit cache" : ""));
        b.AppendLine("set -euo pipefail");
        b.AppendLine($"exec {HarnessLine(set)} worker prepare {CommonArgs(set)} --device {set.Device} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"{(set.FillCache ? " --fill-cache" : "")}");
        return b.ToString();
    }

    public static string Units(SlurmJobSet set, SlurmResources r)
    {
        var b = new StringBuilder();
        Header(b, $"{set.Name}-units", set, r, r.UnitTime, "unit-%A_%a.out", r.CpusPerUnit, r.GpusPerUnit, r.Mem);
        b.AppendLine($"#SBATCH --array={ArraySpec(set.UnitIndices, r.MaxParallel)}");
        b.AppendLine("#SBATCH --requeue");
        b.AppendLine($"#SBATCH --signal=B:USR1@{r.SignalMarginSeconds}");
        b.AppendLine($"# harness submit: one group of {set.RunDirectory} per array task (task id = the index in plan.json of its first unfinished unit; a WSD trunk's task trains its branches after it).");
        b.AppendLine("# SIGUSR1 (time limit near) or SIGTERM (preemption, scontrol requeue, scancel) reaches the worker, which");
        b.AppendLine($"# checkpoints at the next step boundary and exits {ExitInterrupted}; after SIGUSR1 this task requeues itself (Slurm");
        b.AppendLine("# requeues preempted jobs itself).  The requeued task resumes from the checkpoint; SLURM_RESTART_COUNT goes in its row.");
        b.AppendLine("# Internal errors are retried inside the worker (run.retries, from the last checkpoint); then the unit gets a failed row.");
        b.AppendLine($"# Exit {ExitRetry}: another live process holds the unit's claim; this task requeues itself to try later.");
        b.AppendLine("set -u");
        b.AppendLine("task=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"");
        b.AppendLine("signal=\"\"");
        b.AppendLine("child=0");
        b.AppendLine("forward() { signal=$1; if [ \"$child\" -gt 0 ]; then kill -\"$1\" \"$child\" 2>/dev/null || true; fi; }");
        b.AppendLine("trap 'forward USR1' USR1");
        b.AppendLine("trap 'forward TERM' TERM");
        b.AppendLine("echo \"$(date -u +%FT%TZ) unit $SLURM_ARRAY_TASK_ID on $(hostname) restart ${SLURM_RESTART_COUNT:-0}\"");
        b.AppendLine($"{HarnessLine(set)} worker unit {CommonArgs(set)} --index \"$SLURM_ARRAY_TASK_ID\" --device {set.Device} --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" &");
        b.AppendLine("child=$!");
        b.AppendLine("while :; do");
        b.AppendLine("  wait \"$child\"; rc=$?");
        b.AppendLine("  # wait returns >128 when a trapped signal interrupts it; keep waiting while the worker checkpoints");
        b.AppendLine("  if [ \"$rc\" -gt 128 ] && kill -0 \"$child\" 2>/dev/null; then continue; fi");
        b.AppendLine("  break");
        b.AppendLine("done");
        b.AppendLine("case \"$rc\" in");
        b.AppendLine($"  {ExitInterrupted})");
        b.AppendLine("    if [ \"$signal\" = USR1 ]; then echo \"checkpointed after SIGUSR1; requeueing $task\"; scontrol requeue \"$task\"; fi");
        b.AppendLine("    exit 0 ;;");
        b.AppendLine($"  {ExitRetry})");
        b.AppendLine("    echo \"unit busy elsewhere; requeueing $task\"; scontrol requeue \"$task\"; exit 0 ;;");
        b.AppendLine("  *) exit \"$rc\" ;;");
        b.AppendLine("esac");
        return b.ToString();
    }

    public static string Finalize(SlurmJobSet set, SlurmResources r)
    {
        var b = new StringBuilder();
        Header(b, $"{set.Name}-finalize", set, r, r.FinalizeTime, "finalize-%j.out", Math.Max(1, r.CpusPerUnit), 0, r.Mem);
        b.AppendLine($"# harness submit: collect the units of {set.RunDirectory} (runs.csv, curves.csv, evals.csv, manifest),");
        b.AppendLine("# estimate multipliers, write the report; lists failed and missing units and exits 1 if there are any.");
        b.AppendLine("set -euo pipefail");
        b.AppendLine($"exec {HarnessLine(set)} worker finalize {CommonArgs(set)} --device cpu --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"");
        return b.ToString();
    }

    /// <summary>The sbatch/scontrol lines a submission runs, with $PREPARE/$UNITS/$FINALIZE for the job ids.</summary>
    public static string SubmitCommands(string scriptDirectory) =>
        $"""
        #!/bin/bash
        # How `harness submit` submitted these scripts: all held, then released together, so nothing runs half-submitted.
        set -euo pipefail
        PREPARE=$(sbatch --parsable --hold {Quote(Path.Combine(scriptDirectory, "prepare.sbatch"))})
        UNITS=$(sbatch --parsable --hold --dependency=afterok:${"{PREPARE%%;*}"} --kill-on-invalid-dep=yes {Quote(Path.Combine(scriptDirectory, "units.sbatch"))})
        FINALIZE=$(sbatch --parsable --hold --dependency=afterany:${"{UNITS%%;*}"} {Quote(Path.Combine(scriptDirectory, "finalize.sbatch"))})
        scontrol release "${"{PREPARE%%;*}"},${"{UNITS%%;*}"},${"{FINALIZE%%;*}"}"

        """;
}
