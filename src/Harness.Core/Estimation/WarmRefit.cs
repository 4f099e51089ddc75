namespace Harness.Estimation;

/// <summary>Warm-started L(N, D) refits for <c>harness fit-scaling</c>'s row bootstrap (the multiplier estimator refits cold).</summary>
internal static class WarmRefit
{
    /// <summary>Bootstrap refit of L(N, D) from a previous optimum plus perturbed copies of it.</summary>
    internal static double[] RefitChinchilla(IReadOnlyList<ScalingPoint> points, double[] warm, Random rng)
    {
        var starts = Perturbed(warm, rng, [Median(points.Select(p => Math.Log(p.Params))), Median(points.Select(p => Math.Log(p.Tokens)))]);
        return ScalingLawFitter.FitChinchillaTheta(points, starts, starts.Count, parallel: false);
    }

    static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s[s.Length / 2];
    }

    /// <summary>
    /// Warm starts: the optimum and three perturbed copies.  For LSE laws (θ = a_1..a_k, e, α_1..α_k) an exponent is
    /// scaled by e^(0.2z) and its a_j moved so the term keeps its value at the data's median log input; otherwise every
    /// coordinate moves by 0.3z.
    /// </summary>
    static IReadOnlyList<double[]> Perturbed(double[] theta, Random rng, double[]? lseMedians)
    {
        var starts = new List<double[]> { (double[])theta.Clone() };
        for (var s = 0; s < 3; s++)
        {
            var t = (double[])theta.Clone();
            if (lseMedians is null)
                for (var j = 0; j < t.Length; j++) t[j] += 0.3 * Bootstrap.Normal(rng);
            else
            {
                var k = lseMedians.Length;
                for (var j = 0; j < k; j++)
                {
                    var alpha = t[k + 1 + j] * Math.Exp(0.2 * Bootstrap.Normal(rng));
                    t[j] += (alpha - t[k + 1 + j]) * lseMedians[j];
                    t[k + 1 + j] = alpha;
                }
                t[k] += 0.2 * Bootstrap.Normal(rng);
            }
            starts.Add(t);
        }
        return starts;
    }
}
