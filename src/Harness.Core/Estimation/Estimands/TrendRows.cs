using System.Globalization;
using Harness.Estimation.Intervals;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>The multipliers.csv slope rows of one comparison and scenario (<see cref="TrendEstimate"/>).</summary>
internal static class TrendRows
{
    public static IEnumerable<MultiplierRow> Of(ComparisonDesign design, ComparisonFit fit, Replicates reps, string treatment, AccountingScenario s, int runs,
                                                IReadOnlyList<MetricPoint>? treatmentFinals = null)
    {
        foreach (var row in Slopes(design, fit, reps, treatment, s, runs)) yield return row;
        if (treatmentFinals is null) yield break;
        foreach (var g in treatmentFinals.GroupBy(p => p.Model).OrderBy(g => g.First().Params))
        {
            var key = TrendEstimate.CrossoverKey(s.Name, g.Key);
            if (!fit.LnM.TryGetValue(key, out var ln)) continue;
            var ci = MultiplierInterval.Of(ln, reps, key);
            var c = g.Average(p => p.Flops.StudentTrain / p.Tokens);
            var (dMin, dMax) = (g.Min(p => p.Tokens), g.Max(p => p.Tokens));
            var shape = fit.CrossoverShape.GetValueOrDefault(key, "");
            var value = EstimandRows.M(ln);
            var bound = MultiplierBound.None;
            if (value is null && shape == "above") { value = c * dMax * TrendEstimate.CrossoverSearch; bound = MultiplierBound.Lower; }
            var inside = value is { } v && bound == MultiplierBound.None && v >= c * dMin / 1.0001 && v <= c * dMax * 1.0001;
            yield return new MultiplierRow
            {
                Kind = MultiplierKind.Crossover, Estimand = Estimand.EffectiveData, Treatment = treatment, Metric = design.Series.Metric, Accounting = s.Name,
                Student = g.Key, Params = g.First().Params, Quantity = "crossover_compute", Value = value, Bound = bound,
                ValueCi95Low = bound == MultiplierBound.None ? ci.Low : null, ValueCi95High = bound == MultiplierBound.None ? ci.High : null,
                Status = value is null ? MultiplierStatus.NoFit : bound != MultiplierBound.None ? MultiplierStatus.Censored : inside ? MultiplierStatus.Ok : MultiplierStatus.Extrapolated,
                Extrapolated = value is not null && !inside, Support = "model", Pairs = g.Count(),
                Seeds = reps.Clusters, Interval = reps.Interval, Replicates = reps.Count, FailedReplicates = ci.Failed, FailedReasons = reps.Breakdown(key),
                Note = shape switch
                {
                    "falling" => "student compute at which M falls to 1: M > 1 below it, < 1 above it",
                    "rising" => "student compute at which M rises to 1: M < 1 below it, > 1 above it",
                    "above" => string.Create(CultureInfo.InvariantCulture, $"M > 1 over all student compute searched ({TrendEstimate.CrossoverSearch:0}x beyond the size's budgets each way): the crossover lies beyond, a lower bound"),
                    "below" => "M < 1 over all student compute searched: no crossover, the treatment never wins at this size",
                    _ => "no trend fit",
                } + (ci.Failed > 0 ? $"; {ci.Failed} replicate(s) without a crossing in the searched range" : ""),
            };
        }
        if (s.Kind != AccountingKind.Student) yield break;
        foreach (var g in treatmentFinals.GroupBy(p => p.Model).OrderBy(g => g.First().Params))
        {
            var key = TrendEstimate.PayoffKey(g.Key);
            if (!fit.LnM.TryGetValue(key, out var ln)) continue;
            var ci = MultiplierInterval.Of(ln, reps, key);
            var top = g.OrderBy(p => p.Tokens).Last();
            yield return new MultiplierRow
            {
                Kind = MultiplierKind.Crossover, Estimand = Estimand.EffectiveData, Treatment = treatment, Metric = design.Series.Metric, Accounting = "amortised",
                Student = g.Key, Params = g.First().Params, Budget = top.Budget, Tokens = top.Tokens, Quantity = "payoff_students", Value = EstimandRows.M(ln),
                ValueCi95Low = ci.Low, ValueCi95High = ci.High, Status = double.IsFinite(ln) ? MultiplierStatus.Ok : MultiplierStatus.NoFit, Support = "model",
                Pairs = g.Count(), Seeds = reps.Clusters, Interval = reps.Interval, Replicates = reps.Count, FailedReplicates = ci.Failed, FailedReasons = reps.Breakdown(key),
                Note = double.IsFinite(ln)
                    ? "students K over which the teacher's pre-training must be shared for M = 1 under amortised:K at the size's largest budget (K* = F_T / (D(e^tau c - c - x)))"
                    : "the teacher never pays off at this size and budget (e^tau c <= c + x: the distilled run's own cost already exceeds scratch's), or no teacher cost",
            };
        }
    }

    static IEnumerable<MultiplierRow> Slopes(ComparisonDesign design, ComparisonFit fit, Replicates reps, string treatment, AccountingScenario s, int runs)
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
                Quantity = TrendEstimate.OnDisk(axis), Value = EstimandRows.Finite(b), ValueCi95Low = ci.Low, ValueCi95High = ci.High, ValueP = ci.P,
                Status = double.IsFinite(b) ? MultiplierStatus.Ok : MultiplierStatus.NoFit, Support = "model", Pairs = runs,
                Seeds = reps.Clusters, Interval = reps.Interval, Replicates = reps.Count, FailedReplicates = ci.Failed, FailedReasons = reps.Breakdown(key),
                Note = fit.Trend is null ? "no joint trend fit (needs 8 finished runs, 3 sizes or 3 budgets, both arms)"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"d ln M / d {(axis == TrendAxis.LnN ? "ln N" : "ln D")} by least squares over the treatment's runs of ln M = tau(N, D) + ln(C_student / C); " +
                        $"tau = tau0 + {terms} of the joint augmented L(N, D), fitted whatever tau form the CV picks; test of slope = 0: p = {(ci.P is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) : "–")}"),
            };
        }
    }
}
