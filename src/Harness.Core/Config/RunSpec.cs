namespace Harness.Config;

/// <summary>How a sweep copes with faults; not part of the config hash (it changes no result).</summary>
public sealed record RunSpec
{
    /// <summary>Internal errors (native exceptions, CUDA errors) a unit may hit before it is marked failed; each retry
    /// resumes from the unit's last checkpoint.</summary>
    public int Retries { get; init; } = 2;
}
