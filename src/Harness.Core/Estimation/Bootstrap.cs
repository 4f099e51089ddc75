namespace Harness.Estimation;

/// <summary>A fitted quantity with percentile-bootstrap intervals (Efron &amp; Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13).</summary>
public sealed record ParameterEstimate(string Name, double Value, double Ci90Low, double Ci90High, double Ci95Low, double Ci95High)
{
    public static ParameterEstimate From(string name, double value, IEnumerable<double> replicates)
    {
        var sorted = Bootstrap.Sorted(replicates);
        return new ParameterEstimate(name, value,
            Bootstrap.Percentile(sorted, 0.05), Bootstrap.Percentile(sorted, 0.95),
            Bootstrap.Percentile(sorted, 0.025), Bootstrap.Percentile(sorted, 0.975));
    }
}

/// <summary>Seeded, scheduling-independent bootstrap helpers.</summary>
public static class Bootstrap
{
    /// <summary>
    /// Seed of replicate <paramref name="replicate"/>: a SplitMix64 step (Steele et al. 2014, "Fast splittable
    /// pseudorandom number generators") of (seed, replicate), so every replicate draws the same numbers whichever
    /// thread runs it and in whatever order.
    /// </summary>
    public static int DeriveSeed(int seed, int replicate)
    {
        unchecked
        {
            var z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)replicate + 0x632BE59BD9B4E019UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    /// <summary>Finite and infinite replicates in ascending order; NaN (failed refits) are dropped.</summary>
    public static double[] Sorted(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).Order().ToArray();

    /// <summary>
    /// Percentile with linear interpolation between order statistics (Hyndman &amp; Fan 1996, definition 7).  An
    /// infinite neighbour makes the bound infinite, which is the honest answer when enough replicates never reach y.
    /// </summary>
    public static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        var frac = h - lo;
        if (frac == 0 || sorted[lo] == sorted[hi]) return sorted[lo];
        if (double.IsInfinity(sorted[lo]) || double.IsInfinity(sorted[hi])) return frac < 1e-12 ? sorted[lo] : sorted[hi];
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Indices 0..n−1 drawn n times with replacement.</summary>
    public static int[] Resample(Random rng, int n)
    {
        var draw = new int[n];
        for (var i = 0; i < n; i++) draw[i] = rng.Next(n);
        return draw;
    }

    /// <summary>Standard normal by Box–Muller, for perturbing warm starts.</summary>
    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
