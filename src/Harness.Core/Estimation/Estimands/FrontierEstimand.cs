using System.Globalization;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>
/// (a) <c>frontier</c>: the frontier-to-frontier multiplier M_F(y) = C*_scratch(y) / C*_treatment(y).  Each arm's compute
/// frontier comes from its own fit by the same rule: with sizes, C*(y) = min over N in the grid's size range of
/// (c(N) + x)·D(N, y) + F, D(N, y) = (B / (y − E − A/N^α))^(1/β) from L(N, D) = E + A/N^α + B/D^β (Hoffmann et al.
/// 2022; <see cref="LossArm"/>); without sizes, the inverse of a compute-only curve (<see cref="CurveArm"/>: power law,
/// Kaplan et al. 2020, or sigmoid, Owen 2024), shifted by the scenario's mean ln(C_student / C).  x, F: the accounting
/// scenario's extras (Busbridge et al. 2025).  Summary: the geometric mean of M_F over the <see cref="ComparisonDesign.GridPoints"/>
/// y of the range both arms' finished values cover, keeping only the y where both frontiers stay inside their data;
/// the others are listed as extrapolated curve rows.
/// </summary>
internal sealed class FrontierEstimand : IMultiplierEstimand
{
    public Estimand Name => Estimand.Frontier;

    public bool AppliesTo(ComparisonDesign design) => true;

    public void Measure(ComparisonDesign design, ComparisonFit fit, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail)
    {
        foreach (var s in design.Scenarios)
        {
            var x = design.Extras[s.Name];
            var curve = new (FrontierPoint, FrontierPoint)[design.YGrid.Length];
            for (var i = 0; i < design.YGrid.Length; i++)
            {
                var y = design.YGrid[i];
                FrontierPoint b, t;
                if (fit.BaseArm is not null && fit.TreatArm is not null)
                {
                    b = fit.BaseArm.ComputeToReach(y, design.Grid);
                    t = fit.TreatArm.ComputeToReach(y, design.Grid, x.PerToken, x.Fixed);
                }
                else if (fit.BaseCurve is not null && fit.TreatCurve is not null)
                {
                    var cb = fit.BaseCurve.ComputeToReach(y);
                    var ct = fit.TreatCurve.ComputeToReach(y);
                    b = new FrontierPoint(cb, double.NaN, double.NaN, fit.BaseCurve.Supports(cb), false);
                    t = new FrontierPoint(ct * Math.Exp(-x.LnRatio), double.NaN, double.NaN, fit.TreatCurve.Supports(ct), false);
                }
                else
                {
                    b = t = new FrontierPoint(double.NaN, double.NaN, double.NaN, false, false);
                }
                curve[i] = (b, t);
                fit.LnM[ComparisonFit.Key(Name, s.Name, $"y{i}")] = Math.Log(b.Compute) - Math.Log(t.Compute);
            }
            if (detail) fit.Curve[s.Name] = curve;
        }
        Summarise(design, fit.LnM);
    }

    /// <summary>ln of the geometric mean of M_F(y) over the supported grid points, per scenario (NaN when none is).</summary>
    public static void Summarise(ComparisonDesign design, Dictionary<string, double> lnM)
    {
        foreach (var s in design.Scenarios)
        {
            var idx = Enumerable.Range(0, design.YGrid.Length).Where(i => design.YSupported[i]).ToList();
            lnM[ComparisonFit.Key(Estimand.Frontier, s.Name, "summary")] = idx.Count == 0 ? double.NaN : idx.Average(i => lnM[ComparisonFit.Key(Estimand.Frontier, s.Name, $"y{i}")]);
        }
    }

    /// <summary>
    /// Grid points where either frontier leaves its data under student accounting are kept out of every scenario's summary
    /// (fixed from the point estimate, so replicates average over the same y); the summary is then taken again.
    /// </summary>
    public static void SetSupport(ComparisonDesign design, ComparisonFit fit)
    {
        if (fit.Curve.TryGetValue("student", out var curve))
            design.YSupported = curve.Select(c => c.Base.Supported && c.Treat.Supported && double.IsFinite(c.Base.Compute) && double.IsFinite(c.Treat.Compute)).ToArray();
        Summarise(design, fit.LnM);
    }

    public IEnumerable<MultiplierRow> Rows(EstimandRows rows, AccountingScenario s)
    {
        var design = rows.Design;
        var fit = rows.Fit;
        var supported = design.YSupported.Count(x => x);
        var a = rows.Summary(Name, s, out var aci);
        var aNote = design.YGrid.Length == 0 ? "the arms' finished values share no range"
            : supported == 0 ? "every y of the common range needs one frontier outside its data"
            : string.Create(CultureInfo.InvariantCulture, $"geometric mean of M_F(y) over {supported} of {design.YGrid.Length} y in [{design.YGrid[0]:0.####}, {design.YGrid[^1]:0.####}]");
        if (fit.BaseReason is not null || fit.TreatReason is not null) aNote = $"no frontier fit: {fit.BaseReason ?? fit.TreatReason}";
        yield return rows.WithPlacebo(a with
        {
            Pairs = rows.TreatmentFinals.Count, Won = rows.Won, ExtrapolatedCount = design.YGrid.Length - supported, Mde = aci.Mde, Note = aNote,
            Status = a.M is null ? (design.YGrid.Length == 0 || supported == 0 ? MultiplierStatus.Extrapolated : MultiplierStatus.NoFit) : MultiplierStatus.Ok,
        });
        if (!fit.Curve.TryGetValue(s.Name, out var curve)) yield break;
        for (var i = 0; i < curve.Length; i++)
        {
            var r = rows.Base(MultiplierKind.Curve, Name, s, ComparisonFit.Key(Name, s.Name, $"y{i}"), out _);
            var (b, t) = curve[i];
            var support = new List<string>();
            if (!design.YSupported[i]) support.Add("D");
            if (b.AtSizeEdge || t.AtSizeEdge) support.Add("N-edge");
            yield return r with
            {
                Y = design.YGrid[i], Compute = EstimandRows.Finite(t.Compute), BaselineCompute = EstimandRows.Finite(b.Compute),
                Params = EstimandRows.Finite(t.Params), Tokens = EstimandRows.Finite(t.Tokens), BaselineTokens = EstimandRows.Finite(b.Tokens),
                Extrapolated = !design.YSupported[i], Support = string.Join(";", support),
                Status = !design.YSupported[i] ? MultiplierStatus.Extrapolated : r.Status,
            };
        }
    }
}
