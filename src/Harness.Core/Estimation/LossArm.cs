using Harness.Results;

namespace Harness.Estimation;

/// <summary>One student size of an arm: training FLOPs per token c(N) and the token range its finished runs cover.</summary>
internal sealed record SizeSupport(string Student, double Params, double FlopsPerToken, double MinTokens, double MaxTokens);

/// <summary>Where an arm's frontier reaches y: compute, the optimal size and tokens, and whether the data support it.</summary>
internal readonly record struct FrontierPoint(double Compute, double Params, double Tokens, bool Supported, bool AtSizeEdge);

/// <summary>
/// One arm's loss law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, Approach 3) fitted on that arm's finished
/// runs as Epoch AI fit it (Besiroglu et al. 2024: log-sum-exp form, Huber loss on log residuals, L-BFGS from a grid),
/// and its compute frontier C*(y) = min over N in the grid's size range of c(N)·D(N, y), with
/// D(N, y) = (B / (y − E − A/N^α))^(1/β) and c(N) the measured training FLOPs per token interpolated in ln N.
/// Both arms use this same rule (issue 12: symmetric point rules).
/// </summary>
internal sealed class LossArm
{
    public required ChinchillaLaw Law { get; init; }
    public required double[] Theta { get; init; }
    public required SizeSupport[] Sizes { get; init; }
    public required int Points { get; init; }

    /// <summary>Starts for a cold fit, placed from the data (not from any earlier fit): 24 (E, α, β, split) combinations.</summary>
    public static IReadOnlyList<double[]> ColdStarts(IReadOnlyList<ScalingPoint> points)
    {
        var minL = points.Min(p => p.Loss);
        var lnN = Median(points.Select(p => Math.Log(p.Params)));
        var lnD = Median(points.Select(p => Math.Log(p.Tokens)));
        var lMed = Median(points.Select(p => p.Loss));
        var starts = new List<double[]>();
        foreach (var eFrac in new[] { 0.2, 0.5, 0.8 })
            foreach (var alpha in new[] { 0.25, 0.6 })
                foreach (var beta in new[] { 0.2, 0.5 })
                    foreach (var split in new[] { 0.3, 0.7 })
                    {
                        var e = eFrac * minL;
                        var rem = Math.Max(lMed - e, 1e-3 * lMed);
                        starts.Add([Math.Log(split * rem) + alpha * lnN, Math.Log((1 - split) * rem) + beta * lnD, Math.Log(e), alpha, beta]);
                    }
        return starts;
    }

    /// <summary>Multi-start L-BFGS runs kept after screening the cold starts.</summary>
    public const int Keep = 4;

    /// <summary>
    /// Huber δ of the estimator's fits, on log residuals.  Epoch's 1e-3 suits points read off published curves (it is
    /// close to least absolute deviations); a sweep's own runs have near-Gaussian noise well under 5%, so δ = 0.05 makes
    /// the fit least squares on ln L (the Gaussian likelihood) while still bounding the pull of a broken run.
    /// </summary>
    public const double Delta = 0.05;

    public static LossArm? Fit(IReadOnlyList<MetricPoint> points, out string? reason)
    {
        var usable = points.Where(p => p.Params > 0 && p.Tokens > 0 && p.Value > 0).ToList();
        var sizes = usable.Select(p => p.Params).Distinct().Count();
        var tokens = usable.Select(p => p.Tokens).Distinct().Count();
        if (usable.Count < 6 || sizes < 2 || tokens < 2)
        {
            reason = $"L(N, D) needs at least 6 finished runs with 2 sizes and 2 token counts (has {usable.Count} runs, {sizes} sizes, {tokens} token counts)";
            return null;
        }
        reason = null;
        var data = usable.Select(p => new ScalingPoint(p.Params, p.Tokens, p.Value)).ToList();
        var theta = ScalingLawFitter.FitChinchillaTheta(data, ColdStarts(data), Keep, parallel: false, Delta);
        return new LossArm { Law = ScalingLawFitter.ChinchillaFromTheta(theta), Theta = theta, Sizes = SizesOf(usable), Points = usable.Count };
    }

    public static SizeSupport[] SizesOf(IEnumerable<MetricPoint> points) =>
        points.Where(p => p.Params > 0 && p.Tokens > 0).GroupBy(p => p.Params).OrderBy(g => g.Key)
              .Select(g => new SizeSupport(g.First().Model, g.Key, Median(g.Select(p => p.Flops.StudentTrain / p.Tokens)),
                                           g.Min(p => p.Tokens), g.Max(p => p.Tokens))).ToArray();

    internal static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>Linear interpolation of f over sizes in ln N (constant beyond the ends).</summary>
    static double Interpolate(SizeSupport[] sizes, double n, Func<SizeSupport, double> f, bool logValue)
    {
        double V(SizeSupport s) => logValue ? Math.Log(f(s)) : f(s);
        double result;
        if (sizes.Length == 1 || n <= sizes[0].Params) result = V(sizes[0]);
        else if (n >= sizes[^1].Params) result = V(sizes[^1]);
        else
        {
            var i = 0;
            while (sizes[i + 1].Params < n) i++;
            var t = (Math.Log(n) - Math.Log(sizes[i].Params)) / (Math.Log(sizes[i + 1].Params) - Math.Log(sizes[i].Params));
            result = V(sizes[i]) + t * (V(sizes[i + 1]) - V(sizes[i]));
        }
        return logValue ? Math.Exp(result) : result;
    }

    public static double FlopsPerToken(SizeSupport[] sizes, double n) => Interpolate(sizes, n, s => s.FlopsPerToken, true);

    public static (double Min, double Max) TokenRange(SizeSupport[] sizes, double n) =>
        (Interpolate(sizes, n, s => s.MinTokens, true), Interpolate(sizes, n, s => s.MaxTokens, true));

    /// <summary>
    /// C*(y) under an accounting scenario that adds <paramref name="extraPerToken"/> FLOPs per training token and
    /// <paramref name="fixedCost"/> per run: min over 64 sizes spaced evenly in ln N across <paramref name="grid"/>'s range
    /// of (c(N) + extra)·D(N, y) + fixed.  Supported when D* lies inside the interpolated token range of the arm's runs
    /// of that size (2% slack).
    /// </summary>
    public FrontierPoint ComputeToReach(double y, SizeSupport[] grid, double extraPerToken = 0, double fixedCost = 0)
    {
        var lo = Math.Log(grid[0].Params);
        var hi = Math.Log(grid[^1].Params);
        var steps = grid.Length == 1 ? 1 : 64;
        var best = new FrontierPoint(double.PositiveInfinity, double.NaN, double.NaN, false, false);
        for (var k = 0; k < steps; k++)
        {
            var n = Math.Exp(steps == 1 ? lo : lo + (hi - lo) * k / (steps - 1));
            var d = Law.TokensToReach(n, y);
            if (!double.IsFinite(d)) continue;
            var c = (FlopsPerToken(grid, n) + extraPerToken) * d + fixedCost;
            if (c < best.Compute) best = new FrontierPoint(c, n, d, false, k == 0 || k == steps - 1);
        }
        if (!double.IsFinite(best.Compute)) return best;
        var (dMin, dMax) = TokenRange(Sizes, best.Params);
        return best with { Supported = best.Tokens >= dMin / 1.02 && best.Tokens <= dMax * 1.02 };
    }

    public FittedLaw ToFitted() => FittedLaws.ToFitted(Law);

    /// <summary>y(C) = min over 64 sizes spaced evenly in ln N across <paramref name="sizes"/> of L(N, C / c(N)): the loss
    /// the arm's frontier reaches at compute C (the inverse of <see cref="ComputeToReach"/> without accounting extras).</summary>
    public static double ValueAt(ChinchillaLaw law, SizeSupport[] sizes, double compute)
    {
        var lo = Math.Log(sizes[0].Params);
        var hi = Math.Log(sizes[^1].Params);
        var steps = sizes.Length == 1 ? 1 : 64;
        var best = double.PositiveInfinity;
        for (var k = 0; k < steps; k++)
        {
            var n = Math.Exp(steps == 1 ? lo : lo + (hi - lo) * k / (steps - 1));
            best = Math.Min(best, law.Predict(n, compute / FlopsPerToken(sizes, n)));
        }
        return best;
    }
}
