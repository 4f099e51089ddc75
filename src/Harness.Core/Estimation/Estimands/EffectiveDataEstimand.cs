using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>
/// (c) <c>effective_data</c>: the effective-data multiplier of Ho et al. 2024 ("Algorithmic progress in language models",
/// the augmented scaling law).  One joint fit over both arms of L = E + A/N^α + B/(e^τ·D)^β, τ = 0 for scratch and τ
/// constant or τ0 + τ1·(ln N − mean ln N) for the treatment, the form chosen by leave-one-size-out cross-validation
/// (<see cref="AugmentedLaw"/>).  M = e^τ(N)·C_student / C_T, the geometric mean over the treatment's finished runs
/// (per size in by_student rows).  Model-based: it extrapolates through the fitted law beyond the grid and says so
/// (support = model).
/// </summary>
internal sealed class EffectiveDataEstimand : IMultiplierEstimand
{
    public Estimand Name => Estimand.EffectiveData;

    public bool AppliesTo(ComparisonDesign design) => design.UsesSizes && design.Series.Kind == MetricKind.Loss;

    public void Measure(ComparisonDesign design, ComparisonFit fit, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail)
    {
        var aug = AugmentedLaw.Fit(baseline, treatment, design.TauLinear, fit.BaseArm?.Theta, design.LnNCenter);
        fit.Augmented = aug;
        var finals = treatment.Where(p => p.IsFinal).ToList();
        foreach (var s in design.Scenarios)
        {
            fit.LnM[ComparisonFit.Key(Name, s.Name, "summary")] = aug is null || finals.Count == 0 ? double.NaN
                : finals.Average(p => aug.Tau(p.Params) + ComparisonDesign.LnRatio(s, p));
            foreach (var g in finals.GroupBy(p => p.Model))
                fit.LnM[ComparisonFit.Key(Name, s.Name, "by:" + g.Key)] = aug is null ? double.NaN
                    : aug.Tau(g.First().Params) + g.Average(p => ComparisonDesign.LnRatio(s, p));
        }
        TrendEstimate.Measure(design, fit, baseline, treatment);
    }

    public IEnumerable<MultiplierRow> Rows(EstimandRows rows, AccountingScenario s)
    {
        var cRow = rows.Summary(Name, s, out var cci);
        yield return rows.WithPlacebo(cRow with
        {
            Pairs = rows.TreatmentFinals.Count, Won = rows.Won, Mde = cci.Mde, Support = "model",
            Note = rows.Fit.Augmented is null ? "no joint L(N, D) fit (needs 8 finished runs, 2 sizes, both arms)"
                : $"e^tau of the joint augmented L(N, D) (tau {(rows.Design.TauLinear ? "linear in ln N" : "constant")}, chosen by leave-one-size-out CV); " +
                  "model-based: extrapolates beyond the grid through the fitted law",
        });
        foreach (var g in rows.TreatmentFinals.GroupBy(p => p.Model).OrderBy(g => g.First().Params))
        {
            var r = rows.Base(MultiplierKind.ByStudent, Name, s, ComparisonFit.Key(Name, s.Name, "by:" + g.Key), out var gci);
            yield return r with { Student = g.Key, Params = g.First().Params, Pairs = g.Count(), Mde = gci.Mde, Support = "model" };
        }
        foreach (var slope in TrendRows.Of(rows.Design, rows.Fit, rows.Replicates, rows.Treatment, s, rows.TreatmentFinals.Count, rows.TreatmentFinals))
            yield return slope;
    }
}
