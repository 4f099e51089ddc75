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
}
