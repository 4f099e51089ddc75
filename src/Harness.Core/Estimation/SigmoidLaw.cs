namespace Harness.Estimation;

/// <summary>
/// Score frontier for higher-is-better benchmark metrics: a logistic curve in log-compute between the task's chance
/// level and a fitted ceiling, y(C) = F + (U − F)·σ(k·(ln C − x₀)).  This is the form used for downstream-task
/// scaling by Owen 2024 ("How predictable is language model benchmark performance?") and Ruan et al. 2024
/// ("Observational Scaling Laws"): benchmark accuracy sits at chance until a scale, then rises and saturates.
/// </summary>
public sealed record SigmoidLaw(double Floor, double Ceiling, double Slope, double Midpoint)
{
    public double Predict(double compute) =>
        Floor + (Ceiling - Floor) / (1 + Math.Exp(-Slope * (Math.Log(compute) - Midpoint)));

    /// <summary>
    /// Inverse: C(y) = exp(x₀ + logit((y − F)/(U − F)) / k).  +∞ when y ≥ U (beyond the asymptote); 0 when y ≤ F (at or
    /// below chance, which any baseline reaches with no compute).
    /// </summary>
    public double ComputeToReach(double y)
    {
        var p = (y - Floor) / (Ceiling - Floor);
        if (p >= 1) return double.PositiveInfinity;
        if (p <= 0) return 0;
        return Math.Exp(Midpoint + Math.Log(p / (1 - p)) / Slope);
    }
}

/// <summary>Least-squares fit of <see cref="SigmoidLaw"/> with MathNet L-BFGS from a small grid (see <see cref="MultiStartMinimizer"/>).</summary>
public static class SigmoidFitter
{
    /// <summary>
    /// The best possible score: accuracy-type metrics are fractions or percentages, so the ceiling is bounded by 1 (or
    /// 100) when every value lies in that range; otherwise unbounded.
    /// </summary>
    public static double PerfectScore(IEnumerable<double> values, double chance)
    {
        var max = values.Append(double.IsFinite(chance) ? chance : 0).Max();
        return max <= 1 ? 1 : max <= 100 ? 100 : double.PositiveInfinity;
    }

    /// <summary>
    /// Fits on (compute, score) points.  <paramref name="chance"/> fixes the floor; NaN makes it a fourth parameter
    /// (kept below the lowest score).  θ = (u, ln k, x₀[, v]): U = F + (cap − F)·σ(u) (or F + e^u without a cap), so
    /// F &lt; U ≤ cap without bounds; k = e^(ln k) &gt; 0; F = min y − e^v when free.
    /// </summary>
    public static SigmoidLaw Fit(IReadOnlyList<(double Compute, double Score)> points, double chance, double cap) =>
        FromTheta(FitTheta(points, chance, cap, Starts(points, chance, cap), 16), points, chance, cap);

    internal static double[] FitTheta(IReadOnlyList<(double Compute, double Score)> points, double chance, double cap,
                                      IReadOnlyList<double[]> starts, int keep) =>
        MultiStartMinimizer.Minimize(Objective(points, chance, cap), starts, keep, parallel: false).X;

    internal static SigmoidLaw FromTheta(double[] t, IReadOnlyList<(double Compute, double Score)> points, double chance, double cap)
    {
        var floor = FloorOf(t, points, chance);
        return new SigmoidLaw(floor, CeilingOf(t[0], floor, cap), Math.Exp(t[1]), t[2]);
    }

    static double FloorOf(double[] t, IReadOnlyList<(double Compute, double Score)> points, double chance) =>
        double.IsFinite(chance) ? chance : points.Min(p => p.Score) - Math.Exp(t[3]);

    static double Logistic(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    static double CeilingOf(double u, double floor, double cap) =>
        double.IsFinite(cap) ? floor + (cap - floor) * Logistic(u) : floor + Math.Exp(u);

    internal static IReadOnlyList<double[]> Starts(IReadOnlyList<(double Compute, double Score)> points, double chance, double cap)
    {
        var lnC = points.Select(p => Math.Log(p.Compute)).Order().ToArray();
        var minY = points.Min(p => p.Score);
        var maxY = points.Max(p => p.Score);
        var range = Math.Max(maxY - minY, 1e-6);
        var floors = double.IsFinite(chance) ? [double.NaN] : new[] { Math.Log(0.05 * range), Math.Log(0.5 * range) };
        var starts = new List<double[]>();
        foreach (var v in floors)
        {
            var floor = double.IsFinite(chance) ? chance : minY - Math.Exp(v);
            var us = double.IsFinite(cap)
                ? new[] { -1.0, 0.5, 2, 4 }
                : new[] { 1.05, 1.5, 3, 10 }.Select(f => Math.Log(Math.Max((maxY - floor) * f, 1e-9))).ToArray();
            foreach (var u in us)
                foreach (var k in new[] { 0.1, 0.3, 1, 3 })
                    foreach (var x0 in new[] { lnC[0], lnC[lnC.Length / 2], lnC[^1], lnC[^1] + 3 })
                        starts.Add(double.IsFinite(chance) ? [u, Math.Log(k), x0] : [u, Math.Log(k), x0, v]);
        }
        return starts;
    }

    /// <summary>Mean squared error and its analytic gradient (chain rule through the parameterisation above).</summary>
    static ValueAndGradient Objective(IReadOnlyList<(double Compute, double Score)> points, double chance, double cap)
    {
        var x = points.Select(p => Math.Log(p.Compute)).ToArray();
        var y = points.Select(p => p.Score).ToArray();
        var minY = y.Min();
        var freeFloor = !double.IsFinite(chance);
        return (t, g) =>
        {
            Array.Clear(g);
            var floor = freeFloor ? minY - Math.Exp(t[3]) : chance;
            var su = Logistic(t[0]);
            var span = double.IsFinite(cap) ? (cap - floor) * su : Math.Exp(t[0]);
            var dSpanDu = double.IsFinite(cap) ? (cap - floor) * su * (1 - su) : span;
            var dSpanDFloor = double.IsFinite(cap) ? -su : 0;
            var k = Math.Exp(t[1]);
            var total = 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                var z = k * (x[i] - t[2]);
                var s = Logistic(z);
                var r = floor + span * s - y[i];
                total += r * r;
                var ds = span * s * (1 - s);
                g[0] += 2 * r * s * dSpanDu;
                g[1] += 2 * r * ds * z;
                g[2] -= 2 * r * ds * k;
                if (freeFloor) g[3] += 2 * r * (1 + dSpanDFloor * s) * -Math.Exp(t[3]);
            }
            for (var j = 0; j < g.Length; j++) g[j] /= x.Length;
            return total / x.Length;
        };
    }
}
