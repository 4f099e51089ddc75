using Harness.Estimation.Intervals;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>The placebo's M and 95% interval for one estimand of a metric, written beside that estimand's summaries.</summary>
internal readonly record struct PlaceboValue(double? M, double? Lo, double? Hi);

/// <summary>
/// What every estimand's rows of one comparison share: the design, the point estimate's fit, the replicates, the
/// treatment's finished runs and their pairs with a scratch twin (same size, budget, seed), and the placebo.
/// </summary>
internal sealed class EstimandRows
{
    public ComparisonDesign Design { get; }
    public ComparisonFit Fit { get; }
    public Replicates Replicates { get; }
    public string Treatment { get; }
    public MetricSeries Series { get; }
    /// <summary>Lower is better (a loss): a pair is won when the treatment's value is below its twin's.</summary>
    public bool LowerIsBetter { get; }
    public IReadOnlyList<MetricPoint> TreatmentFinals { get; }
    /// <summary>Treatment runs that beat their scratch twin.</summary>
    public int Won { get; }
    readonly IReadOnlyDictionary<Estimand, PlaceboValue> placebo;

    public EstimandRows(ComparisonDesign design, ComparisonFit fit, Replicates replicates, string treatment,
                        IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatmentPoints, IReadOnlyDictionary<Estimand, PlaceboValue> placebo)
    {
        Design = design;
        Fit = fit;
        Replicates = replicates;
        Treatment = treatment;
        Series = design.Series;
        this.placebo = placebo;
        LowerIsBetter = Series.Kind == MetricKind.Loss;
        var twins = baseline.Where(p => p.IsFinal).GroupBy(p => (p.Model, p.Budget, p.Seed)).ToDictionary(g => g.Key, g => g.First());
        TreatmentFinals = treatmentPoints.Where(p => p.IsFinal).ToList();
        var paired = TreatmentFinals.Where(p => twins.ContainsKey((p.Model, p.Budget, p.Seed))).ToList();
        var lower = LowerIsBetter;
        Won = paired.Count(p => lower ? p.Value < twins[(p.Model, p.Budget, p.Seed)].Value : p.Value > twins[(p.Model, p.Budget, p.Seed)].Value);
    }

    /// <summary>M = e^(ln M); +∞ stays +∞ (a frontier that is never reached), anything else not finite is no value.</summary>
    public static double? M(double ln) => double.IsFinite(ln) ? Math.Exp(ln) : double.IsPositiveInfinity(ln) ? double.PositiveInfinity : null;

    public static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Whether the treatment's value beats its twin's.</summary>
    public bool Beats(MetricPoint treatment, MetricPoint twin) => LowerIsBetter ? treatment.Value < twin.Value : treatment.Value > twin.Value;

    /// <summary>The row of ln M under <paramref name="key"/> with its interval (<see cref="MultiplierInterval"/>) and status ok / no fit.</summary>
    public MultiplierRow Base(MultiplierKind kind, Estimand estimand, AccountingScenario s, string key, out MultiplierInterval ci)
    {
        var ln = Fit.LnM.TryGetValue(key, out var v) ? v : double.NaN;
        ci = MultiplierInterval.Of(ln, Replicates, key);
        return new MultiplierRow
        {
            Kind = kind, Estimand = estimand, Treatment = Treatment, Metric = Series.Metric, Accounting = s.Name,
            M = M(ln), MCi95Low = ci.Low, MCi95High = ci.High, Seeds = Replicates.Clusters, Interval = Replicates.Interval, Replicates = Replicates.Count,
            FailedReplicates = ci.Failed, FailedReasons = Replicates.Breakdown(key), Status = double.IsFinite(ln) ? MultiplierStatus.Ok : MultiplierStatus.NoFit,
        };
    }

    /// <summary>The summary row of one estimand and scenario (key "summary").</summary>
    public MultiplierRow Summary(Estimand estimand, AccountingScenario s, out MultiplierInterval ci) =>
        Base(MultiplierKind.Summary, estimand, s, ComparisonFit.Key(estimand, s.Name, "summary"), out ci);

    /// <summary>The placebo's numbers for the row's estimand beside it.</summary>
    public MultiplierRow WithPlacebo(MultiplierRow r) => placebo.TryGetValue(r.Estimand, out var p)
        ? r with { PlaceboM = p.M, PlaceboCi95Low = p.Lo, PlaceboCi95High = p.Hi } : r;

    /// <summary>The summary of an estimand that does not apply to this design: withheld, with the reason.</summary>
    public MultiplierRow Withheld(Estimand estimand, AccountingScenario s) => new()
    {
        Kind = MultiplierKind.Summary, Estimand = estimand, Treatment = Treatment, Metric = Series.Metric, Accounting = s.Name,
        Status = MultiplierStatus.Withheld, Pairs = TreatmentFinals.Count, Won = Won,
        Note = Series.Kind == MetricKind.Score ? $"defined for loss-type metrics; see the task's {ResultsFolderLoader.TaskLoss}"
                                               : "needs student sizes and token counts",
    };

    /// <summary>Every row of the comparison: per scenario, each estimand of <see cref="EstimandRegistry"/> in turn.</summary>
    public List<MultiplierRow> All()
    {
        var rows = new List<MultiplierRow>();
        foreach (var s in Design.Scenarios)
            foreach (var estimand in EstimandRegistry.All)
                if (estimand.AppliesTo(Design)) rows.AddRange(estimand.Rows(this, s));
                else rows.Add(Withheld(estimand.Name, s));
        return rows;
    }
}
