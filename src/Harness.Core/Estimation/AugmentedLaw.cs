using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// The effective-data law (Ho et al. 2024, "Algorithmic progress in language models", the augmented scaling law):
/// one L(N, D) over both arms, the treatment's data scaled by g = e^τ:
/// L = E + A/N^α + B/(g·D)^β, τ = τ0 (constant) or τ0 + τ1·(ln N − mean ln N) (size-dependent).  The trend form
/// (issue 23, <see cref="Budget"/>) adds τ2·(ln D − mean ln D) so that τ1 = d ln M / d ln N and τ2 = d ln M / d ln D
/// under student accounting are estimated, not chosen.
/// Fitted like <see cref="LossArm"/> (log-sum-exp, Huber on log residuals, L-BFGS from several starts).
/// </summary>
internal sealed class AugmentedLaw
{
    public required double[] Theta { get; init; }
    public required bool Linear { get; init; }
    public required double LnNCenter { get; init; }
    /// <summary>τ also has the term τ2·(ln D − <see cref="LnDCenter"/>) (the trend form).</summary>
    public bool Budget { get; init; }
    public double LnDCenter { get; init; }

    public ChinchillaLaw Law => ScalingLawFitter.ChinchillaFromTheta(Theta[..5]);
    public double Tau(double n) => Theta[5] + (Linear ? Theta[6] * (Math.Log(n) - LnNCenter) : 0);
    /// <summary>τ(N, D); equals <see cref="Tau(double)"/> unless the fit has the budget term.</summary>
    public double Tau(double n, double d) => Tau(n) + (Budget ? BudgetSlope * (Math.Log(d) - LnDCenter) : 0);
    /// <summary>τ1 = ∂τ/∂ln N (0 for constant τ).</summary>
    public double SizeSlope => Linear ? Theta[6] : 0;
    /// <summary>τ2 = ∂τ/∂ln D (0 without the budget term).</summary>
    public double BudgetSlope => Budget ? Theta[Linear ? 7 : 6] : 0;
    public double Predict(double n, double d, bool treated) => Law.Predict(n, treated ? Math.Exp(Tau(n, d)) * d : d);

    public static AugmentedLaw? Fit(IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool linear, double[]? scratchTheta,
                                    double? lnNCenter = null) => Fit(baseline, treatment, linear, budget: false, scratchTheta, lnNCenter, 0);

    /// <param name="budget">Add τ2·(ln D − <paramref name="lnDCenter"/>) to τ (the trend form, issue 23).</param>
    public static AugmentedLaw? Fit(IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool linear, bool budget, double[]? scratchTheta,
                                    double? lnNCenter, double lnDCenter)
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
        var objective = Objective(lnN, lnD, lnL, treated, center, linear, budget, lnDCenter);
        var baseStarts = new List<double[]>();
        if (scratchTheta is not null) baseStarts.Add(scratchTheta);
        baseStarts.AddRange(LossArm.ColdStarts(points.Select(x => new ScalingPoint(x.p.Params, x.p.Tokens, x.p.Value)).ToList()));
        var starts = new List<double[]>();
        foreach (var s in baseStarts)
            foreach (var tau in new[] { -0.5, 0.3, 1.2 })
                starts.Add(budget ? (linear ? [.. s, tau, 0.0, 0.0] : [.. s, tau, 0.0]) : linear ? [.. s, tau, 0.0] : [.. s, tau]);
        var theta = MultiStartMinimizer.Minimize(objective, starts, LossArm.Keep, parallel: false).X;
        return new AugmentedLaw { Theta = theta, Linear = linear, LnNCenter = center, Budget = budget, LnDCenter = lnDCenter };
    }

    /// <summary>
    /// Mean Huber loss (δ = <see cref="LossArm.Delta"/>, divided by δ) of r = LSE(a − α ln N, b − β(ln D + τ·T), e) − ln L
    /// with T = 1 for treatment points, and its gradient (w = softmax of the three terms).
    /// </summary>
    static ValueAndGradient Objective(double[] lnN, double[] lnD, double[] lnL, double[] treated, double center, bool linear, bool budget, double lnDCenter)
    {
        var n = lnL.Length;
        var budgetIndex = linear ? 7 : 6;
        const double delta = LossArm.Delta;
        return (t, g) =>
        {
            Array.Clear(g);
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                var x = lnN[i] - center;
                var tau = t[5] + (linear ? t[6] * x : 0);
                var z = lnD[i] - lnDCenter;
                if (budget) tau += t[budgetIndex] * z;
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
                if (budget) g[budgetIndex] += dTau * z;
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
        if (Budget) { parameters["tau2"] = BudgetSlope; parameters["ln_d_center"] = LnDCenter; }
        return new FittedLaw { Form = FittedLaws.Augmented, Parameters = parameters };
    }
}
