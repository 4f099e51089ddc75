namespace Harness.Config;

/// <summary>One whole experiment: `harness run CONFIG`.  See README "Experiment config".</summary>
/// <summary>Experiment tracking; changes no result, so it is left out of the config hash.</summary>
public sealed record TrackingSpec
{
    /// <summary>Write TensorBoard event files under RUN/tensorboard/&lt;method&gt;-&lt;student&gt;-&lt;budget&gt;-seedN/.</summary>
    public bool Tensorboard { get; init; }
}
