using MathNet.Numerics.LinearRegression;

namespace Harness.Estimation.PublicTables;

/// <summary>
/// Linear frontier with an optional date covariate, fitted by ordinary least squares (MathNet QR) over every baseline
/// model:  y = a + b·ln C + γ·(t − t_ref), t in years.  For a treatment model (C_T, y_T, t_T):
///   ln C_B = (y_T − a − γ·(t_T − t_ref)) / b,   ln M = ln C_B − ln C_T = residual / b,
/// the compute a baseline model released on the same date would need ("naive scaling prediction"; with γ the
/// prediction is controlled for the date).  t_ref only moves a; M does not depend on it.  exp(γ/b) is the yearly
/// growth of effective compute that the baseline's time trend implies, so ln M / (γ/b) reads M in years.
/// </summary>
public sealed record LinearFrontier(double A, double B, double Gamma, bool WithCovariate, double MinLnC, double MaxLnC)
{
    public static LinearFrontier? Fit(IReadOnlyList<(double LnC, double Years, double Score)> models, bool withCovariate)
    {
        var k = withCovariate ? 3 : 2;
        if (models.Count < k + 1 || models.Select(m => m.LnC).Distinct().Count() < 2) return null;
        if (withCovariate && models.Select(m => m.Years).Distinct().Count() < 2) return null;
        var x = models.Select(m => withCovariate ? new[] { m.LnC, m.Years } : new[] { m.LnC }).ToArray();
        var y = models.Select(m => m.Score).ToArray();
        double[] p;
        try { p = MultipleRegression.QR(x, y, intercept: true); }
        catch (ArgumentException) { return null; }
        if (p.Any(v => !double.IsFinite(v))) return null;
        return new LinearFrontier(p[0], p[1], withCovariate ? p[2] : 0, withCovariate, models.Min(m => m.LnC), models.Max(m => m.LnC));
    }

    public double Predict(double lnC, double years) => A + B * lnC + Gamma * years;

    /// <summary>ln C_B(y, t); NaN when the slope has the wrong sign for the metric's direction.</summary>
    public double LnComputeToReach(double y, double years, bool higherIsBetter) =>
        (higherIsBetter ? B > 0 : B < 0) ? (y - A - Gamma * years) / B : double.NaN;

    /// <summary>Yearly effective-compute growth implied by the time trend, exp(γ/b) (NaN without the covariate).</summary>
    public double GrowthPerYear => WithCovariate && B != 0 ? Math.Exp(Gamma / B) : double.NaN;
}
