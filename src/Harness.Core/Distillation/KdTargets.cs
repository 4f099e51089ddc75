using Harness.Config;

namespace Harness.Distillation;

/// <summary>What distribution logit KD matches (<c>kd.targets</c>, README "KD targets").</summary>
public enum KdTargetKind
{
    /// <summary>The teacher's top-k log-probs with the residual mass spread uniformly over the other V − k tokens (the cache).</summary>
    TopK,
    /// <summary>The teacher's full softmax, computed online on every batch.</summary>
    Dense,
    /// <summary>Anshumann et al. 2025's unbiased random-sampling estimator (<see cref="SampledDistribution"/>).</summary>
    Sampled,
}

public static class KdTargets
{
    public static IReadOnlyDictionary<string, KdTargetKind> Names { get; } = new Dictionary<string, KdTargetKind>
    {
        [KdSpec.TopKTargets] = KdTargetKind.TopK,
        ["dense"] = KdTargetKind.Dense,
        ["sampled"] = KdTargetKind.Sampled,
    };
}

/// <summary>The config's <c>kd.targets</c> and <c>kd.samples</c> against <see cref="KdTargets.Names"/> and the rule of each kind.</summary>
internal static class KdTargetsConfigCheck
{
    public static IEnumerable<string> Validate(ExperimentConfig config, string path)
    {
        var kd = config.Kd;
        if (!KdTargets.Names.TryGetValue(kd.TargetsOrDefault, out var kind))
        {
            yield return $"{path}.kd.targets: value \"{kd.Targets}\" is not a KD target kind; valid: {string.Join(", ", KdTargets.Names.Keys)}.";
            yield break;
        }
        if (kind == KdTargetKind.Dense && kd.Cache)
            yield return $"{path}.kd.targets: value \"dense\" is computed online (the cache stores sparse targets only); set kd.cache: false, or use kd.targets: top_k with the cache.";
        if (kind == KdTargetKind.Sampled && kd.Cache)
            yield return $"{path}.kd.targets: value \"sampled\" is served online in this version; set kd.cache: false.";
        if (kind == KdTargetKind.Sampled && kd.Divergence != "forward-kl")
            yield return $"{path}.kd.divergence: value \"{kd.Divergence}\" cannot be used with kd.targets: sampled; the sampled target is unbiased for the forward-KL (cross-entropy) gradient only; use forward-kl, or kd.targets: dense.";
        if (kd.Samples is { } n && n <= 0)
            yield return $"{path}.kd.samples: value {n} must be a positive integer (tokens drawn per position, e.g. 32).";
        else if (kd.Samples is not null && kind != KdTargetKind.Sampled)
            yield return $"{path}.kd.samples: is used only with kd.targets: sampled (kd.targets is \"{kd.TargetsOrDefault}\"); remove it or set kd.targets: sampled.";
    }
}
