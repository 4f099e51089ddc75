using System.Globalization;

namespace Harness.Estimation.Intervals;

/// <summary>
/// Bootstrap replicates of every ln M of a comparison (NaN where a refit failed), how they were made
/// (<see cref="ClusterSeedT"/> or <see cref="ParametricResidual"/>: the multipliers.csv <c>interval</c> column), the number
/// of seed clusters G and of replicates.  <see cref="Reasons"/> holds, per key and replicate, why a value failed
/// (null where it did not; the classes are README "Failed replicates").
/// </summary>
internal sealed record Replicates(Dictionary<string, double[]> Values, string Interval, int Clusters, int Count)
{
    public const string ClusterSeedT = "cluster_seed_t";
    public const string ParametricResidual = "parametric_residual";

    /// <summary>Per key and replicate: the failure class (<see cref="FailureClass"/>), null for a finite value.</summary>
    public Dictionary<string, string?[]> Reasons { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The failed replicates of <paramref name="key"/> by class, most frequent first ("law_fit 3; no_crossing 12"); empty when none failed.</summary>
    public string Breakdown(string key) => !Reasons.TryGetValue(key, out var r) ? ""
        : string.Join("; ", r.Where(x => x is not null).GroupBy(x => x!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                             .Select(g => g.Key + " " + g.Count().ToString(CultureInfo.InvariantCulture)));
}

/// <summary>Why a bootstrap replicate of one ln M has no finite value (README "Failed replicates").</summary>
internal static class FailureClass
{
    /// <summary>The refit threw (a numerical failure inside a fit).</summary>
    public const string RefitError = "refit_error";
    /// <summary>An arm's law (L(N, D) or the compute-only curve) could not be fitted on the resampled runs.</summary>
    public const string LawFit = "law_fit";
    /// <summary>Both laws fitted, but the target value lies outside what one arm's law reaches (at or below its asymptote): no compute reaches it.</summary>
    public const string TargetOutOfRange = "target_out_of_range";
    /// <summary>The joint augmented (effective-data or trend) law could not be fitted on the resample.</summary>
    public const string AugmentedFit = "augmented_fit";
    /// <summary>The crossover: M does not cross 1 in the searched range on this resample.</summary>
    public const string NoCrossing = "no_crossing";
    /// <summary>The payoff K*: on this resample the distilled run alone costs more than scratch needs (no K pays off).</summary>
    public const string NoPayoff = "no_payoff";
    /// <summary>The parametric bootstrap had no residual model (no fit on the real data).</summary>
    public const string NoResidualModel = "no_residual_model";
    public const string NoValue = "no_value";
}
