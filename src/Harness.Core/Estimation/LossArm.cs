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

/// <summary>
/// The effective-data law (Ho et al. 2024, "Algorithmic progress in language models", the augmented scaling law):
/// one L(N, D) over both arms, the treatment's data scaled by g = e^τ:
/// L = E + A/N^α + B/(g·D)^β, τ = τ0 (constant) or τ0 + τ1·(ln N − mean ln N) (size-dependent).
/// Fitted like <see cref="LossArm"/> (log-sum-exp, Huber on log residuals, L-BFGS from several starts).
/// </summary>
internal sealed class AugmentedLaw
{
    public required double[] Theta { get; init; }
    public required bool Linear { get; init; }
    public required double LnNCenter { get; init; }

    public ChinchillaLaw Law => ScalingLawFitter.ChinchillaFromTheta(Theta[..5]);
    public double Tau(double n) => Theta[5] + (Linear ? Theta[6] * (Math.Log(n) - LnNCenter) : 0);
    public double Predict(double n, double d, bool treated) => Law.Predict(n, treated ? Math.Exp(Tau(n)) * d : d);

    public static AugmentedLaw? Fit(IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool linear, double[]? scratchTheta,
                                    double? lnNCenter = null)
    {
        var points = baseline.Select(p => (p, false)).Concat(treatment.Select(p => (p, true)))
                             .Where(x => x.p.Params > 0 && x.p.Tokens > 0 && x.p.Value > 0).ToList();
        if (points.Count < 8 || points.Select(x => x.p.Params).Distinct().Count() < 2 || !points.Any(x => x.Item2) || !points.Any(x => !x.Item2))
            return null;
        var lnN = points.Select(x => Math.Log(x.p.Params)).ToArray();
        var lnD = points.Select(x => Math.Log(x.p.Tokens)).ToArray();
        var lnL = points.Select(x => Math.Log(x.p.Value)).ToArray();
        var treated = points.Select(x => x.Item2 ? 1.0 : 0.0).ToArray();
        var center = lnNCenter ?? lnN.Average();
        var objective = Objective(lnN, lnD, lnL, treated, center, linear);
        var baseStarts = new List<double[]>();
        if (scratchTheta is not null) baseStarts.Add(scratchTheta);
        baseStarts.AddRange(LossArm.ColdStarts(points.Select(x => new ScalingPoint(x.p.Params, x.p.Tokens, x.p.Value)).ToList()));
        var starts = new List<double[]>();
        foreach (var s in baseStarts)
            foreach (var tau in new[] { -0.5, 0.3, 1.2 })
                starts.Add(linear ? [.. s, tau, 0.0] : [.. s, tau]);
        var theta = MultiStartMinimizer.Minimize(objective, starts, LossArm.Keep, parallel: false).X;
        return new AugmentedLaw { Theta = theta, Linear = linear, LnNCenter = center };
    }

    /// <summary>
    /// Mean Huber loss (δ = <see cref="LossArm.Delta"/>, divided by δ) of r = LSE(a − α ln N, b − β(ln D + τ·T), e) − ln L
    /// with T = 1 for treatment points, and its gradient (w = softmax of the three terms).
    /// </summary>
    static ValueAndGradient Objective(double[] lnN, double[] lnD, double[] lnL, double[] treated, double center, bool linear)
    {
        var n = lnL.Length;
        const double delta = LossArm.Delta;
        return (t, g) =>
        {
            Array.Clear(g);
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                var x = lnN[i] - center;
                var tau = t[5] + (linear ? t[6] * x : 0);
                var effD = lnD[i] + tau * treated[i];
                double t1 = t[0] - t[3] * lnN[i], t2 = t[1] - t[4] * effD, t3 = t[2];
                var max = Math.Max(t1, Math.Max(t2, t3));
                double e1 = Math.Exp(t1 - max), e2 = Math.Exp(t2 - max), e3 = Math.Exp(t3 - max), sum = e1 + e2 + e3;
                var r = max + Math.Log(sum) - lnL[i];
                double h, dh;
                if (Math.Abs(r) <= delta) { h = 0.5 * r * r; dh = r; }
                else { h = delta * (Math.Abs(r) - 0.5 * delta); dh = delta * Math.Sign(r); }
                total += h;
                double w1 = e1 / sum, w2 = e2 / sum, w3 = e3 / sum;
                g[0] += dh * w1;
                g[1] += dh * w2;
                g[2] += dh * w3;
                g[3] -= dh * w1 * lnN[i];
                g[4] -= dh * w2 * effD;
                var dTau = -dh * w2 * t[4] * treated[i];
                g[5] += dTau;
                if (linear) g[6] += dTau * x;
            }
            var scale = 1.0 / (n * delta);
            for (var j = 0; j < g.Length; j++) g[j] *= scale;
            return total * scale;
        };
    }

    /// <summary>
    /// Leave-one-size-out cross-validation error (mean squared log residual over the held-out size's points of both
    /// arms), for choosing between constant and linear τ.  NaN with fewer than 3 sizes.
    /// </summary>
    public static double CrossValidationError(IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool linear)
    {
        var sizes = baseline.Concat(treatment).Select(p => p.Params).Where(n => n > 0).Distinct().Order().ToList();
        if (sizes.Count < 3) return double.NaN;
        var center = baseline.Concat(treatment).Where(p => p.Params > 0).Average(p => Math.Log(p.Params));
        double sum = 0;
        var count = 0;
        foreach (var held in sizes)
        {
            var fit = Fit(baseline.Where(p => p.Params != held).ToList(), treatment.Where(p => p.Params != held).ToList(), linear, null, center);
            if (fit is null) return double.NaN;
            foreach (var (p, t) in baseline.Where(p => p.Params == held).Select(p => (p, false)).Concat(treatment.Where(p => p.Params == held).Select(p => (p, true))))
            {
                var r = Math.Log(fit.Predict(p.Params, p.Tokens, t)) - Math.Log(p.Value);
                sum += r * r;
                count++;
            }
        }
        return count == 0 ? double.NaN : sum / count;
    }

    public FittedLaw ToFitted()
    {
        var law = Law;
        var parameters = new Dictionary<string, double>
        {
            ["E"] = law.E, ["A"] = law.A, ["B"] = law.B, ["alpha"] = law.Alpha, ["beta"] = law.Beta, ["tau0"] = Theta[5],
        };
        if (Linear) { parameters["tau1"] = Theta[6]; parameters["ln_n_center"] = LnNCenter; }
        return new FittedLaw { Form = FittedLaws.Augmented, Parameters = parameters };
    }
}
