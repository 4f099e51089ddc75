using MathNet.Numerics.Distributions;

namespace Harness.Estimation.Intervals;

/// <summary>
/// The 95% interval of M, its minimum detectable effect and the replicates that failed.  With G seed clusters,
/// ln M ± t_(G−1, 0.975)·√(G/(G−1))·sd*, the few-clusters correction of Cameron, Gelbach &amp; Miller 2008 ("Bootstrap-based
/// improvements for inference with clustered errors") and Cameron &amp; Miller 2015 ("A practitioner's guide to
/// cluster-robust inference"): a percentile interval over 3 clusters covers about 75%.  A parametric bootstrap uses
/// ln M ± z_0.975·sd*.  MDE = exp((t_0.975 + t_0.80)·se): the smallest multiplier detected with 80% power at 5% two-sided.
/// </summary>
internal readonly record struct MultiplierInterval(double? Low, double? High, double? Mde, int Failed)
{
    /// <summary>No interval when there are no replicates, ln M is not finite, or more than half the replicates failed.</summary>
    public static MultiplierInterval Of(double lnM, Replicates reps, string key)
    {
        if (reps.Count == 0 || !reps.Values.TryGetValue(key, out var values)) return new MultiplierInterval(null, null, null, 0);
        var finite = values.Where(double.IsFinite).ToArray();
        var failed = values.Length - finite.Length;
        if (!double.IsFinite(lnM) || finite.Length < 2 || failed > values.Length / 2) return new MultiplierInterval(null, null, null, failed);
        var mean = finite.Average();
        var sd = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1));
        double crit, power;
        if (reps.Interval == Replicates.ClusterSeedT)
        {
            var g = reps.Clusters;
            sd *= Math.Sqrt(g / (g - 1.0));
            crit = StudentT.InvCDF(0, 1, g - 1, 0.975);
            power = StudentT.InvCDF(0, 1, g - 1, 0.80);
        }
        else
        {
            crit = Normal.InvCDF(0, 1, 0.975);
            power = Normal.InvCDF(0, 1, 0.80);
        }
        return new MultiplierInterval(Math.Exp(lnM - crit * sd), Math.Exp(lnM + crit * sd), Math.Exp((crit + power) * sd), failed);
    }
}
