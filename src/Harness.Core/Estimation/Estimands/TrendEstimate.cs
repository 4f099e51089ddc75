using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>What a slope is taken against: ln N (student size) or ln D (training tokens).</summary>
internal enum TrendAxis { LnN, LnD }

/// <summary>
/// Size and budget dependence of the multiplier as estimates (issue 23, item 1), whatever τ form the cross-validation of
/// the effective-data estimand picks.  One extra joint fit of the augmented law (Ho et al. 2024) with
/// τ(N, D) = τ0 + τ1·(ln N − mean ln N) + τ2·(ln D − mean ln D) (<see cref="AugmentedLaw"/>, trend form; a term only
/// where the design supports it: 3 or more sizes for ln N, 3 or more token counts not collinear with ln N for ln D).
/// Per run, ln M_s = τ(N, D) + ln(C_student / C_s) (the effective-data multiplier of the run under scenario s); the
/// slopes are the least-squares coefficients of ln M_s on [1, ln N, ln D] over the treatment's finished runs:
/// b_N = ∂ln M/∂ln N and b_D = ∂ln M/∂ln D.  Under student accounting they are τ1 and τ2 exactly; under the other
/// scenarios they add how the scenario's extra compute moves with size and budget (a fixed teacher cost shrinks with
/// D, so b_D &gt; 0 there).  Replicates refit the trend law, so the seed-cluster interval and the test of b = 0
/// (<see cref="Intervals.SlopeInterval"/>) cover it.
/// </summary>
internal static class TrendEstimate
{
    public static string Key(string scenario, TrendAxis axis) => ComparisonFit.Key(Estimand.EffectiveData, scenario, "slope:" + OnDisk(axis));

    /// <summary>Key of ln(student compute at M = 1) of one size under one scenario.</summary>
    public static string CrossoverKey(string scenario, string student) => ComparisonFit.Key(Estimand.EffectiveData, scenario, "crossover:" + student);

    /// <summary>Key of ln K, the students that amortise the teacher, of one size.</summary>
    public static string PayoffKey(string student) => ComparisonFit.Key(Estimand.EffectiveData, "amortised", "payoff:" + student);

    /// <summary>How far beyond the size's token range (factor, each way) the crossover is searched.</summary>
    public const double CrossoverSearch = 1000;

    public static string OnDisk(TrendAxis axis) => axis == TrendAxis.LnN ? "slope_ln_n" : "slope_ln_d";

    /// <summary>Decides which terms the trend fit has (fixed from the data, shared by every replicate).</summary>
    public static void Plan(ComparisonDesign design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatmentFinals)
    {
        var baseSizes = baseline.Where(p => p.Params > 0).Select(p => p.Params).Distinct().Count();
        var treatSizes = treatmentFinals.Select(p => p.Params).Distinct().Count();
        design.TrendN = baseSizes >= 3 && treatSizes >= 3;
        design.LnDCenter = treatmentFinals.Count > 0 ? treatmentFinals.Average(p => Math.Log(p.Tokens)) : 0;
        var tokenCounts = treatmentFinals.Select(p => p.Tokens).Distinct().Count();
        design.TrendD = tokenCounts >= 3 && (!design.TrendN || ResidualSpread(treatmentFinals) > 1e-3);
    }

    /// <summary>Standard deviation of ln D left after regressing it on ln N: zero when the budgets are a function of the size.</summary>
    static double ResidualSpread(IReadOnlyList<MetricPoint> finals)
    {
        var coef = LeastSquares(finals.Select(p => new[] { 1.0, Math.Log(p.Params) }).ToArray(), finals.Select(p => Math.Log(p.Tokens)).ToArray());
        if (coef is null) return 0;
        var res = finals.Select(p => Math.Log(p.Tokens) - coef[0] - coef[1] * Math.Log(p.Params)).ToArray();
        return Math.Sqrt(res.Sum(r => r * r) / res.Length);
    }

    /// <summary>Fits the trend law on one data set (the real data or a replicate) and adds every scenario's slopes to <paramref name="fit"/>.</summary>
    public static void Measure(ComparisonDesign design, ComparisonFit fit, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment)
    {
        if (!design.TrendN && !design.TrendD) return;
        var law = AugmentedLaw.Fit(baseline, treatment, design.TrendN, design.TrendD, fit.BaseArm?.Theta, design.LnNCenter, design.LnDCenter);
        fit.Trend = law;
        var finals = treatment.Where(p => p.IsFinal).ToList();
        foreach (var s in design.Scenarios)
        {
            double[]? coef = null;
            if (law is not null && finals.Count > 0)
            {
                var x = finals.Select(p => Regressors(design, p)).ToArray();
                var y = finals.Select(p => law.Tau(p.Params, p.Tokens) + ComparisonDesign.LnRatio(s, p)).ToArray();
                coef = LeastSquares(x, y);
            }
            var j = 1;
            if (design.TrendN) fit.LnM[Key(s.Name, TrendAxis.LnN)] = coef?[j++] ?? double.NaN;
            if (design.TrendD) fit.LnM[Key(s.Name, TrendAxis.LnD)] = coef?[j] ?? double.NaN;
        }
        if (design.TrendD) Crossovers(design, fit, law, finals);
    }

    /// <summary>
    /// Crossover (issue 23, item 2; Busbridge et al. 2025: distillation wins only below a compute threshold, and only
    /// with the teacher amortised).  Per size N (c its training FLOPs per token) and scenario s (x its extra FLOPs per
    /// token, F its fixed FLOPs), ln M_s(D) = τ(N, D) + ln(c·D) − ln((c + x)·D + F) from the trend law; the crossover is
    /// the largest D* in [D_min/1000, 1000·D_max] where it changes sign (bisection), reported as student compute c·D*.
    /// Payoff: at the size's largest budget D, the teacher's pre-training F_T pays off over K students when
    /// e^τ·c·D = (c + x)·D + F_T/K, i.e. K* = F_T / (D·(e^τ·c − c − x)); none when e^τ·c ≤ c + x (never pays off).
    /// </summary>
    static void Crossovers(ComparisonDesign design, ComparisonFit fit, AugmentedLaw? law, List<MetricPoint> finals)
    {
        foreach (var g in finals.GroupBy(p => p.Model))
        {
            var n = g.First().Params;
            var c = g.Average(p => p.Flops.StudentTrain / p.Tokens);
            var (dMin, dMax) = (g.Min(p => p.Tokens), g.Max(p => p.Tokens));
            foreach (var s in design.Scenarios)
            {
                var key = CrossoverKey(s.Name, g.Key);
                if (law is null) { fit.LnM[key] = double.NaN; continue; }
                var x = design.Extras[s.Name];
                double LnM(double lnD) => law.Tau(n, Math.Exp(lnD)) + Math.Log(c) + lnD - Math.Log((c + x.PerToken) * Math.Exp(lnD) + x.Fixed);
                var (lo, hi) = (Math.Log(dMin / CrossoverSearch), Math.Log(dMax * CrossoverSearch));
                const int steps = 240;
                double? crossing = null;
                var rising = false;
                var prev = LnM(lo);
                var prevX = lo;
                var allAbove = prev > 0;
                for (var i = 1; i <= steps; i++)
                {
                    var xi = lo + (hi - lo) * i / steps;
                    var v = LnM(xi);
                    allAbove &= v > 0;
                    if (double.IsFinite(prev) && double.IsFinite(v) && (prev > 0) != (v > 0))
                    {
                        double a = prevX, b = xi;
                        for (var k = 0; k < 60; k++)
                        {
                            var m = 0.5 * (a + b);
                            if ((LnM(m) > 0) == (LnM(a) > 0)) a = m; else b = m;
                        }
                        crossing = 0.5 * (a + b);
                        rising = v > prev;
                    }
                    prev = v;
                    prevX = xi;
                }
                fit.LnM[key] = crossing is { } lnD ? Math.Log(c) + lnD : double.NaN;
                fit.CrossoverShape[key] = crossing is not null ? (rising ? "rising" : "falling") : allAbove ? "above" : "below";
            }
            var dTop = dMax;
            var tau = law?.Tau(n, dTop) ?? double.NaN;
            var perToken = g.Sum(p => p.Flops.InferenceExtras) / g.Sum(p => p.Tokens);
            var pretrain = g.Average(p => p.Flops.TeacherPretrain);
            var gain = dTop * (Math.Exp(tau) * c - c - perToken);
            fit.LnM[PayoffKey(g.Key)] = pretrain > 0 && gain > 0 ? Math.Log(pretrain / gain) : double.NaN;
        }
    }

    static double[] Regressors(ComparisonDesign design, MetricPoint p)
    {
        var r = new List<double> { 1.0 };
        if (design.TrendN) r.Add(Math.Log(p.Params) - design.LnNCenter);
        if (design.TrendD) r.Add(Math.Log(p.Tokens) - design.LnDCenter);
        return [.. r];
    }

    /// <summary>Ordinary least squares by the normal equations (at most 3 columns); null when they are singular.</summary>
    internal static double[]? LeastSquares(double[][] x, double[] y)
    {
        var k = x[0].Length;
        var a = new double[k, k + 1];
        for (var i = 0; i < x.Length; i++)
            for (var r = 0; r < k; r++)
            {
                for (var c = 0; c < k; c++) a[r, c] += x[i][r] * x[i][c];
                a[r, k] += x[i][r] * y[i];
            }
        // Gauss-Jordan with partial pivoting.
        for (var c = 0; c < k; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < k; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (Math.Abs(a[pivot, c]) < 1e-12 * Math.Max(1, Math.Abs(a[0, 0]))) return null;
            for (var j = 0; j <= k; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            for (var r = 0; r < k; r++)
            {
                if (r == c) continue;
                var f = a[r, c] / a[c, c];
                for (var j = c; j <= k; j++) a[r, j] -= f * a[c, j];
            }
        }
        var b = new double[k];
        for (var r = 0; r < k; r++) b[r] = a[r, k] / a[r, r];
        return b.All(double.IsFinite) ? b : null;
    }
}
