using System.Globalization;
using Harness.Estimation.Intervals;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>
/// The built-in placebo: the first seed's scratch runs are scored as a treatment against the other seeds' scratch runs,
/// by every estimand, under student accounting.  The truth is 1, so an interval that excludes 1 says the design or the
/// estimator finds effects where there are none (a warning beside every number of the metric).  Its interval is the
/// parametric bootstrap with one law fitted on all scratch runs (<see cref="ResidualBootstrap"/>, pooled): each arm
/// holding one seed would otherwise absorb the seed-to-seed spread the placebo exists to show.
/// </summary>
internal sealed class PlaceboComparison
{
    /// <summary>Group name of the placebo "treatment" (a scratch seed).</summary>
    public const string Group = "placebo";

    /// <summary>Per estimand: M and interval, written beside the metric's summaries.</summary>
    public Dictionary<Estimand, PlaceboValue> Values { get; } = [];
    public List<MultiplierRow> Rows { get; } = [];
    public List<PlaceboResult> Results { get; } = [];
    public List<string> Warnings { get; } = [];

    /// <summary>Whether the baseline supports a placebo: 2 or more scratch seeds, with sizes (or a score metric).</summary>
    static bool Possible(MetricSeries series, IReadOnlyList<MetricPoint> baseline, int seeds) =>
        seeds >= 2 && baseline.Any(p => p.Params > 0) || seeds >= 2 && series.Kind == MetricKind.Score;

    /// <param name="bootstrapSeed">Seed of the replicates (derived from the run's seed, the metric and the placebo group).</param>
    public static PlaceboComparison Run(MetricSeries series, IReadOnlyList<MetricPoint> baseline, int replicates, int bootstrapSeed)
    {
        var placebo = new PlaceboComparison();
        var scratchSeeds = baseline.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToList();
        if (!Possible(series, baseline, scratchSeeds.Count)) return placebo;
        var s0 = scratchSeeds[0];
        var pb = baseline.Where(p => p.Seed != s0).ToList();
        var pt = baseline.Where(p => p.Seed == s0).Select(p => p with { Group = Group }).ToList();
        var design = ComparisonDesign.Create(series, [AccountingScenario.Student], pb, pt, paired: false);
        var fit = ComparisonFit.Evaluate(design, pb, pt, detail: true);
        FrontierEstimand.SetSupport(design, fit);
        var reps = SeedClusterBootstrap.Run(design, pb, pt, fit, replicates, bootstrapSeed, forceParametric: true);
        foreach (var estimand in Enum.GetValues<Estimand>())
        {
            var key = ComparisonFit.Key(estimand, "student", "summary");
            if (!fit.LnM.TryGetValue(key, out var ln)) continue;
            var ci = MultiplierInterval.Of(ln, reps, key);
            var m = double.IsFinite(ln) ? Math.Exp(ln) : (double?)null;
            var excludes = ci.Low is { } lo && ci.High is { } hi && (lo > 1 || hi < 1);
            placebo.Values[estimand] = new PlaceboValue(m, ci.Low, ci.High);
            placebo.Results.Add(new PlaceboResult
            {
                Metric = series.Metric, Estimand = estimand, TreatmentSeed = s0, M = m, Ci95Low = ci.Low, Ci95High = ci.High,
                ExcludesOne = excludes, Status = m is null ? MultiplierStatus.NoFit : MultiplierStatus.Ok,
            });
            placebo.Rows.Add(new MultiplierRow
            {
                Kind = MultiplierKind.Placebo, Estimand = estimand, Treatment = Group, Metric = series.Metric, Accounting = "student",
                Seed = s0, M = m, MCi95Low = ci.Low, MCi95High = ci.High, Status = m is null ? MultiplierStatus.NoFit : MultiplierStatus.Ok,
                Pairs = pt.Count(p => p.IsFinal), Seeds = scratchSeeds.Count, Interval = reps.Interval, Replicates = reps.Count,
                FailedReplicates = ci.Failed, FailedReasons = reps.Breakdown(key), Mde = ci.Mde,
                Note = $"scratch seed {s0} scored as a treatment against scratch seeds {string.Join(", ", scratchSeeds.Skip(1))}; the truth is 1",
            });
            if (excludes)
                placebo.Warnings.Add($"PLACEBO FAILS: {series.Metric} {estimand.OnDisk()}: a scratch seed scored as a treatment gives M = {Format(m)} [{Format(ci.Low)}, {Format(ci.High)}], " +
                                     "which excludes 1; this design or estimator finds effects where there are none, so do not trust the other numbers of this metric.");
        }
        placebo.Rows.AddRange(TrendRows.Of(design, fit, reps, Group, AccountingScenario.Student, pt.Count(p => p.IsFinal)));
        return placebo;
    }

    static string Format(double? v) => v is { } x ? x.ToString(x >= 100 || x < 0.01 ? "0.##e0" : "0.###", CultureInfo.InvariantCulture) : "–";
}
