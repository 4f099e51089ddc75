using System.Globalization;
using Harness.Estimation.Intervals;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>The multipliers.csv slope rows of one comparison and scenario (<see cref="TrendEstimate"/>).</summary>
internal static class TrendRows
{
    public static IEnumerable<MultiplierRow> Of(ComparisonDesign design, ComparisonFit fit, Replicates reps, string treatment, AccountingScenario s, int runs)
    {
        foreach (var axis in new[] { TrendAxis.LnN, TrendAxis.LnD })
        {
            var key = TrendEstimate.Key(s.Name, axis);
            if (!fit.LnM.TryGetValue(key, out var b)) continue;
            var ci = SlopeInterval.Of(b, reps, key);
            var terms = string.Join(" + ", new[] { design.TrendN ? "tau1*ln N" : "", design.TrendD ? "tau2*ln D" : "" }.Where(t => t.Length > 0));
            yield return new MultiplierRow
            {
                Kind = MultiplierKind.Slope, Estimand = Estimand.EffectiveData, Treatment = treatment, Metric = design.Series.Metric, Accounting = s.Name,
                SlopeWrt = TrendEstimate.OnDisk(axis), Slope = EstimandRows.Finite(b), SlopeCi95Low = ci.Low, SlopeCi95High = ci.High, SlopeP = ci.P,
                Status = double.IsFinite(b) ? MultiplierStatus.Ok : MultiplierStatus.NoFit, Support = "model", Pairs = runs,
                Seeds = reps.Clusters, Interval = reps.Interval, Replicates = reps.Count, FailedReplicates = ci.Failed,
                Note = fit.Trend is null ? "no joint trend fit (needs 8 finished runs, 3 sizes or 3 budgets, both arms)"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"d ln M / d {(axis == TrendAxis.LnN ? "ln N" : "ln D")} by least squares over the treatment's runs of ln M = tau(N, D) + ln(C_student / C); " +
                        $"tau = tau0 + {terms} of the joint augmented L(N, D), fitted whatever tau form the CV picks; test of slope = 0: p = {(ci.P is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) : "–")}"),
            };
        }
    }
}
