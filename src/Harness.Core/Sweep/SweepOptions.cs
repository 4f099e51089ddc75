using static TorchSharp.torch;

namespace Harness.Sweep;

public sealed record SweepOptions
{
    public string? Shard { get; init; }
    public string? Only { get; init; }
    public required Device Device { get; init; }
    public required string RepositoryRoot { get; init; }
    /// <summary>Results root; the run lands in RESULTS/&lt;experiment&gt;/&lt;config-hash&gt;/.</summary>
    public string? ResultsRoot { get; init; }
    /// <summary>Re-write tables and manifest even when every unit is finished and the manifest says the run finished.</summary>
    public bool ForceReport { get; init; }
    /// <summary><c>--set KEY=VALUE</c> overrides applied to the config file, recorded in the manifest.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];
    /// <summary>Scheduler restarts of this process's unit (SLURM_RESTART_COUNT), recorded in its row.</summary>
    public int RestartCount { get; init; }
}
