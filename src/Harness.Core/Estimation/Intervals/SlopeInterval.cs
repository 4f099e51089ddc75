using MathNet.Numerics.Distributions;

namespace Harness.Estimation.Intervals;

/// <summary>
/// The 95% interval of a slope b (not a multiplier: no exponential), its bootstrap standard error and the two-sided
/// p-value of the Wald test of b = 0, with the same critical values as <see cref="MultiplierInterval"/>: t with G − 1
/// degrees of freedom and the √(G/(G−1)) correction for G seed clusters (Cameron, Gelbach &amp; Miller 2008), the
/// normal for the parametric bootstrap.  No interval when more than half the replicates failed.
/// </summary>
internal readonly record struct SlopeInterval(double? Low, double? High, double? Se, double? P, int Failed)
{
    public static SlopeInterval Of(double b, Replicates reps, string key)
    {
        if (reps.Count == 0 || !reps.Values.TryGetValue(key, out var values)) return new SlopeInterval(null, null, null, null, 0);
        var finite = values.Where(double.IsFinite).ToArray();
        var failed = values.Length - finite.Length;
        if (!double.IsFinite(b) || finite.Length < 2 || failed > values.Length / 2) return new SlopeInterval(null, null, null, null, failed);
        var mean = finite.Average();
        var sd = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1));
        double crit, p;
        if (reps.Interval == Replicates.ClusterSeedT)
        {
            var g = reps.Clusters;
            sd *= Math.Sqrt(g / (g - 1.0));
            crit = StudentT.InvCDF(0, 1, g - 1, 0.975);
            p = sd > 0 ? 2 * (1 - StudentT.CDF(0, 1, g - 1, Math.Abs(b) / sd)) : b == 0 ? 1 : 0;
        }
        else
        {
            crit = Normal.InvCDF(0, 1, 0.975);
            p = sd > 0 ? 2 * (1 - Normal.CDF(0, 1, Math.Abs(b) / sd)) : b == 0 ? 1 : 0;
        }
        return new SlopeInterval(b - crit * sd, b + crit * sd, sd, p, failed);
    }
}
