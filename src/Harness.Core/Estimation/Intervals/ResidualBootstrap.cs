using Harness.Estimation.Estimands;

namespace Harness.Estimation.Intervals;

/// <summary>
/// Parametric bootstrap data (used with fewer than 3 seeds, and for the placebo): each arm's fitted values times residual
/// blocks (one size × seed, across budgets) redrawn from the pool of blocks of the same length, the residuals inflated by
/// √(n/(n−p)) for the p parameters the fit spent (Davison &amp; Hinkley 1997, "Bootstrap methods and their application",
/// §6.2: residuals of a fit are smaller than the errors).  Residuals are on ln L for losses, on the value for scores.
/// </summary>
internal sealed class ResidualBootstrap
{
    sealed record Block(bool Treated, List<(MetricPoint Point, double Fitted)> Points);
    readonly List<Block> blocks = [];
    readonly Dictionary<int, List<double[]>> pool = [];
    bool logScale;
    double inflateBase, inflateTreat;

    /// <param name="pooled">Placebo: both arms are scratch, so one law fitted on all their runs gives the fitted values and
    /// the residual blocks; an arm of one seed would otherwise absorb that seed's effect into its own fit and the
    /// interval would miss the seed-to-seed spread the placebo exists to show.</param>
    public static ResidualBootstrap? Build(ComparisonDesign design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, ComparisonFit main,
                                           bool pooled)
    {
        Func<MetricPoint, double>? fb = null, ft = null;
        var log = false;
        var all = baseline.Concat(treatment).ToList();
        if (pooled && design.UsesSizes && LossArm.Fit(all, out _) is { } pa)
        {
            fb = ft = p => pa.Law.Predict(p.Params, p.Tokens);
            log = true;
        }
        else if (pooled && !design.UsesSizes && CurveArm.Fit(all, design.Series.Kind, design.Series.Chance, out _) is { } pc)
        {
            fb = ft = p => pc.Predict(p.Flops.StudentTrain);
            log = design.Series.Kind == MetricKind.Loss;
        }
        else if (main.BaseArm is { } ba && main.TreatArm is { } ta)
        {
            fb = p => ba.Law.Predict(p.Params, p.Tokens);
            ft = p => ta.Law.Predict(p.Params, p.Tokens);
            log = true;
        }
        else if (main.BaseCurve is { } bc && main.TreatCurve is { } tc)
        {
            fb = p => bc.Predict(p.Flops.StudentTrain);
            ft = p => tc.Predict(p.Flops.StudentTrain);
            log = design.Series.Kind == MetricKind.Loss;
        }
        if (fb is null || ft is null) return null;
        var model = new ResidualBootstrap { logScale = log };
        // L(N, D) has 5 parameters; the compute-only power law and sigmoid 3.
        var parameters = design.UsesSizes ? 5 : 3;
        double Inflate(int n) => n > parameters ? Math.Sqrt(n / (double)(n - parameters)) : 1;
        model.inflateBase = Inflate(pooled ? all.Count : baseline.Count);
        model.inflateTreat = Inflate(pooled ? all.Count : treatment.Count);
        foreach (var (points, treated, f) in new[] { (baseline, false, fb), (treatment, true, ft) })
            foreach (var g in points.GroupBy(p => (p.Model, p.Params, p.Seed)))
            {
                var ordered = g.OrderBy(p => p.Flops.StudentTrain).Select(p => (p, f(p))).ToList();
                var block = new Block(treated, ordered);
                model.blocks.Add(block);
                var inflate = treated ? model.inflateTreat : model.inflateBase;
                var r = ordered.Select(x => inflate * (log ? Math.Log(x.p.Value) - Math.Log(x.Item2) : x.p.Value - x.Item2)).ToArray();
                if (!model.pool.TryGetValue(r.Length, out var list)) model.pool[r.Length] = list = [];
                list.Add(r);
            }
        return model;
    }

    /// <summary>One replicate: every block's fitted values with a residual block drawn from the pool (baseline, treatment).</summary>
    public (IReadOnlyList<MetricPoint>, IReadOnlyList<MetricPoint>) Draw(Random rng)
    {
        var b = new List<MetricPoint>();
        var t = new List<MetricPoint>();
        foreach (var block in blocks)
        {
            var candidates = pool[block.Points.Count];
            var r = candidates[rng.Next(candidates.Count)];
            for (var i = 0; i < block.Points.Count; i++)
            {
                var (p, fitted) = block.Points[i];
                var value = logScale ? fitted * Math.Exp(r[i]) : fitted + r[i];
                (block.Treated ? t : b).Add(p with { Value = value });
            }
        }
        return (b, t);
    }
}
