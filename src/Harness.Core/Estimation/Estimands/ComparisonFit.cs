using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>
/// One evaluation of a <see cref="ComparisonDesign"/> on one data set (the real data or a bootstrap replicate): both arms'
/// fits and every estimand's ln M under every scenario, keyed by <see cref="Key"/>.  Replicates keep only
/// <see cref="LnM"/>; the point estimate also keeps the curve and cells the rows are written from.
/// </summary>
internal sealed class ComparisonFit
{
    public Dictionary<string, double> LnM { get; } = new(StringComparer.Ordinal);
    public LossArm? BaseArm, TreatArm;
    public CurveArm? BaseCurve, TreatCurve;
    public AugmentedLaw? Augmented;
    /// <summary>The trend form of the augmented law (<see cref="TrendEstimate"/>), whose τ1, τ2 give the slopes.</summary>
    public AugmentedLaw? Trend;
    /// <summary>Per crossover key: where M stays when it never crosses 1 ("above" or "below"), or the crossing's direction (point estimate).</summary>
    public Dictionary<string, string> CrossoverShape { get; } = new(StringComparer.Ordinal);
    /// <summary>Same-size cells (point estimate only).</summary>
    public List<SameSizeCell> Cells { get; } = [];
    /// <summary>[scenario][grid index]: baseline and treatment frontier points (point estimate only).</summary>
    public Dictionary<string, (FrontierPoint Base, FrontierPoint Treat)[]> Curve { get; } = new(StringComparer.Ordinal);
    public string? BaseReason, TreatReason;

    /// <summary>Key of one ln M: the estimand, the scenario, and what ("summary", "y3" for a grid point, "by:nano" for a size).</summary>
    public static string Key(Estimand estimand, string scenario, string what) => $"{estimand.OnDisk()}|{scenario}|{what}";

    /// <summary>
    /// Fits both arms by the same rule (L(N, D) per arm when the design uses sizes, else a compute-only curve per arm) and
    /// measures every estimand of <see cref="EstimandRegistry"/> that applies to the design.
    /// </summary>
    /// <param name="detail">Keep the frontier curve and the same-size cells (the point estimate; replicates need only ln M).</param>
    public static ComparisonFit Evaluate(ComparisonDesign design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail)
    {
        var fit = new ComparisonFit();
        if (design.UsesSizes)
        {
            fit.BaseArm = LossArm.Fit(baseline, out fit.BaseReason);
            fit.TreatArm = LossArm.Fit(treatment, out fit.TreatReason);
        }
        else
        {
            fit.BaseCurve = CurveArm.Fit(baseline, design.Series.Kind, design.Series.Chance, out fit.BaseReason);
            fit.TreatCurve = CurveArm.Fit(treatment, design.Series.Kind, design.Series.Chance, out fit.TreatReason);
        }
        foreach (var estimand in EstimandRegistry.All)
            if (estimand.AppliesTo(design))
                estimand.Measure(design, fit, baseline, treatment, detail);
        return fit;
    }
}
