namespace Harness.Config;

/// <summary>Knowledge-distillation settings shared by the logit-KD units.</summary>
public sealed record KdSpec
{
    /// <summary>Weight of the hard-label cross-entropy; 1 − α goes to the soft term.</summary>
    public double Alpha { get; init; } = 0.5;
    public double Temperature { get; init; } = 2.0;
    /// <summary>forward-kl | reverse-kl | jsd.</summary>
    public string Divergence { get; init; } = "forward-kl";
    /// <summary>β of the generalised JSD.</summary>
    public double Beta { get; init; } = 0.5;
    /// <summary>Serve teacher distributions from the top-k cache (true) or run the teacher online (false).</summary>
    public bool Cache { get; init; } = true;
    public int TopK { get; init; } = 32;
    /// <summary>top_k (default when unset) | dense | sampled: the teacher distribution KD matches (README "KD targets").</summary>
    public string? Targets { get; init; }
    /// <summary>Tokens drawn per position for <c>targets: sampled</c> (default <see cref="DefaultSamples"/> when unset).</summary>
    public int? Samples { get; init; }

    public const string TopKTargets = "top_k";
    public const int DefaultSamples = 32;
    [System.Text.Json.Serialization.JsonIgnore] public string TargetsOrDefault => Targets ?? TopKTargets;
    [System.Text.Json.Serialization.JsonIgnore] public int SamplesOrDefault => Samples ?? DefaultSamples;
}
