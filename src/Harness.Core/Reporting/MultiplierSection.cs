using System.Globalization;
using Harness.Estimation;
using Harness.Results;
using static Harness.Reporting.ReportText;

namespace Harness.Reporting;

/// <summary>
/// The "Compute multipliers" section: student-accounting summaries of the loss and informative task metrics (placebo
/// beside each), the rows without a value, the placebo rows, the other accounting scenarios, the per-size figures and
/// table, and how to read the estimands (README "Efficiency-multiplier estimator").
/// </summary>
internal static class MultiplierSection
{
    static readonly Estimand[] EstimandOrder = [Estimand.Frontier, Estimand.SameSize, Estimand.EffectiveData];

    /// <param name="shown">Whether a metric is on the page (losses and informative task metrics).</param>
    public static Section Build(ResultsFolder folder, string headlineMetric, Func<string, bool> shown)
    {
        bool Shown(string metric) => shown(metric);
        var multiplierBlocks = new List<Block>();
        if (folder.Multipliers.Count == 0) multiplierBlocks.Add(new Para("No multipliers.csv: run the estimator to get multipliers."));
        else
        {
            var summaries = folder.Multipliers.Where(r => r.Kind is MultiplierKind.Summary or MultiplierKind.Placebo && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : ResultMetrics.LowerIsBetter(r.Metric) || r.Metric.EndsWith("task_loss", StringComparison.Ordinal) ? 1 : 2)
                .ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Kind == MultiplierKind.Placebo ? 1 : 0).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => Array.IndexOf(EstimandOrder, r.Estimand)).ThenBy(r => AccountingScenario.Rank(r.Accounting)).ToList();
            Table SummaryTable(IEnumerable<MultiplierRow> rows, bool withAccounting) => new(
                withAccounting ? ["treatment", "metric", "estimand", "accounting", "M [95% CI]", "placebo", "pairs won", "MDE", "status", "notes"]
                               : ["treatment", "metric", "estimand", "M [95% CI]", "placebo", "pairs won", "MDE", "status", "notes"],
                rows.Select(r => (IReadOnlyList<string>)(withAccounting ? [r.Treatment, r.Metric, r.Estimand.OnDisk(), r.Accounting, .. Cells(r)] : [r.Treatment, r.Metric, r.Estimand.OnDisk(), .. Cells(r)])).ToList());
            var student = summaries.Where(r => r.Accounting == "student" && r.Kind == MultiplierKind.Summary && r.M is not null).ToList();
            var noValue = summaries.Where(r => r.Accounting == "student" && r.Kind == MultiplierKind.Summary && r.M is null).ToList();
            var placebo = summaries.Where(r => r.Kind == MultiplierKind.Placebo).ToList();
            multiplierBlocks.Add(new Para($"Student-only accounting, for the loss metrics and the informative task metrics. Above 1× the treatment is cheaper; ≥ / ≤: a bound (censored pairs)."));
            multiplierBlocks.Add(new TableBlock(SummaryTable(student, withAccounting: false)));
            if (noValue.Count > 0)
                multiplierBlocks.Add(new Details($"Without a value ({noValue.Count}: {string.Join(", ", noValue.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key.OnDisk()}"))})",
                    [new TableBlock(SummaryTable(noValue, withAccounting: false))]));
            if (placebo.Count > 0)
                multiplierBlocks.Add(new Details($"Placebo rows ({placebo.Count}; each summary row's placebo column repeats its metric and estimand's)",
                    [new TableBlock(SummaryTable(placebo, withAccounting: true))]));
            var slopes = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Slope && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : 1).ThenBy(r => r.Metric, StringComparer.Ordinal)
                .ThenBy(r => r.Treatment == MultiplierEstimator.PlaceboGroup ? 1 : 0).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => AccountingScenario.Rank(r.Accounting)).ThenBy(r => r.Quantity, StringComparer.Ordinal).ToList();
            if (slopes.Count > 0)
            {
                var shownSlopes = slopes.Where(r => r.Accounting == "student").ToList();
                multiplierBlocks.Add(new Para("Does the gain depend on student size or budget? Slopes of ln M (effective-data law with τ linear in ln N and ln D, fitted whatever form the cross-validation picks), student accounting; " +
                    "b = 0.1 means M grows by e^0.1 ≈ 1.105× per e-fold (2.7×) of N or D; p tests b = 0 (README \"Size and budget slopes\")."));
                multiplierBlocks.Add(new TableBlock(SlopeTable(shownSlopes)));
                var otherSlopes = slopes.Where(r => r.Accounting != "student").ToList();
                if (otherSlopes.Count > 0)
                    multiplierBlocks.Add(new Details($"Slopes under the other accounting scenarios ({otherSlopes.Count})", [new TableBlock(SlopeTable(otherSlopes))]));
            }
            var crossovers = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Crossover && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : 1).ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => r.Quantity, StringComparer.Ordinal).ThenBy(r => AccountingScenario.Rank(r.Accounting)).ThenBy(r => r.Params ?? 0).ToList();
            if (crossovers.Count > 0)
                multiplierBlocks.Add(new Details($"Crossovers: where M crosses 1, and the students that amortise the teacher ({crossovers.Count} row(s); README \"Crossover\")",
                    [new Para("crossover_compute: the student training compute at which M crosses 1 for that size and accounting, from the trend law (extrapolated when outside the size's budgets); " +
                              "payoff_students: K such that M = 1 under amortised:K at the size's largest budget (more students: the teacher pays off)."),
                     new TableBlock(new Table(["treatment", "metric", "quantity", "accounting", "student", "value [95% CI]", "status", "notes"],
                        crossovers.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Quantity, r.Accounting, r.Student, CrossoverText(r), r.Status.OnDisk(), r.Note]).ToList()))]));
            var otherAccounting = summaries.Where(r => r.Accounting != "student" && r.Kind == MultiplierKind.Summary).ToList();
            if (otherAccounting.Count > 0)
                multiplierBlocks.Add(new Details($"Other accounting scenarios ({otherAccounting.Select(r => r.Accounting).Distinct().Count()}: {string.Join(", ", otherAccounting.Select(r => r.Accounting).Distinct().OrderBy(AccountingScenario.Rank))})",
                    [new TableBlock(SummaryTable(otherAccounting, withAccounting: true))]));
            var bySize = folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Accounting == "student" && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : 1).ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => Array.IndexOf(EstimandOrder, r.Estimand)).ThenBy(r => r.Params ?? 0).ToList();
            var sizeFigures = folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Estimand == Estimand.SameSize && r.M > 0 && Shown(r.Metric))
                .Select(r => (r.Treatment, r.Metric)).Distinct().OrderBy(x => x.Metric == headlineMetric ? 0 : 1).ThenBy(x => x.Metric, StringComparer.Ordinal).ThenBy(x => x.Treatment, StringComparer.Ordinal)
                .Select(x => ReportFigures.MultiplierVsSize(folder, x.Treatment, x.Metric)).ToList();
            if (bySize.Count > 0 || sizeFigures.Count > 0)
            {
                var blocks = new List<Block>();
                blocks.AddRange(sizeFigures.Select(f => new FigureBlock(f)));
                if (bySize.Count > 0)
                    blocks.Add(new TableBlock(new Table(["treatment", "metric", "estimand", "student", "M [95% CI]", "pairs won", "censored"],
                        bySize.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Estimand.OnDisk(), r.Student, MText(r), r.Estimand == Estimand.SameSize ? $"{r.Won}/{r.Pairs}" : "",
                            r.Censored > 0 ? r.Censored.ToString(CultureInfo.InvariantCulture) : ""]).ToList())));
                multiplierBlocks.Add(new Details($"Per student size ({sizeFigures.Count} figure(s), {bySize.Count} row(s), student accounting)", blocks));
            }
            multiplierBlocks.Add(new Details("How to read the estimands, accounting and intervals",
                [new Para("Three estimands, never averaged together (README \"Estimation\"): frontier = C*_scratch(y) / C*_treatment(y) with each arm's compute frontier fitted on its finished runs by the same rule, " +
                    "geometric mean over the y range both arms cover; same_size = per (size, budget, seed) pair, scratch tokens of that size needed to reach the treatment's value ÷ the treatment's, geometric mean over pairs (≥: censored at the scratch runs' largest budget); " +
                    "effective_data = e^τ of a joint L(N, D) in which the treatment's data count e^τ times (Ho et al. 2024), model-based."),
                 new Para("Accounting: student = student training only; +inference adds teacher inference and logit-cache share; +teacher adds the teacher's pre-training; amortised:K shares it over K students. " +
                    "Intervals: seed-cluster bootstrap; placebo = one scratch seed scored as a treatment against the others (truth 1); MDE = smallest multiplier this design can detect.")]));
            var hidden = folder.Multipliers.Count(r => r.Kind is MultiplierKind.Summary or MultiplierKind.Placebo && !Shown(r.Metric));
            multiplierBlocks.Add(new FileLink(ResultSchema.MultipliersFile,
                $"all {folder.Multipliers.Count} multiplier rows (CSV): kind = summary | placebo | by_student | cell (one per pair) | curve (one per y of the frontier estimand) | slope | crossover" +
                (hidden > 0 ? $"; {hidden} summary row(s) of non-informative metrics are only there" : "")));
            multiplierBlocks.Add(new FileLink(ResultSchema.SummaryFile, "the headlines, placebo and counts for machines (summary.json)"));
        }
        return new Section("multipliers", "Compute multipliers", multiplierBlocks);
    }

    static Table SlopeTable(IReadOnlyList<MultiplierRow> rows) => new(
        ["treatment", "metric", "accounting", "slope", "b [95% CI]", "p (b = 0)", "failed replicates"],
        rows.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Accounting, r.Quantity == "slope_ln_n" ? "d ln M / d ln N" : "d ln M / d ln D", SlopeText(r),
            r.ValueP is { } p ? p.ToString(p < 0.001 ? "0.0e0" : "0.###", CultureInfo.InvariantCulture) : "–",
            r.Replicates > 0 ? $"{r.FailedReplicates}/{r.Replicates}" : ""]).ToList());

    static string CrossoverText(MultiplierRow r)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        if (r.Value is not { } v) return "–";
        var prefix = r.Bound == MultiplierBound.Lower ? "≥ " : r.Bound == MultiplierBound.Upper ? "≤ " : "";
        return prefix + F(v) + (r.ValueCi95Low is { } lo && r.ValueCi95High is { } hi ? $" [{F(lo)}, {F(hi)}]" : "");
    }

    static string SlopeText(MultiplierRow r)
    {
        static string F(double v) => v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);
        if (r.Value is not { } b) return "–";
        return r.ValueCi95Low is { } lo && r.ValueCi95High is { } hi ? $"{F(b)} [{F(lo)}, {F(hi)}]" : F(b);
    }

    static IReadOnlyList<string> Cells(MultiplierRow r) =>
        [MText(r), PlaceboText(r), r.Pairs > 0 && r.Kind == MultiplierKind.Summary ? $"{r.Won}/{r.Pairs}" : "", r.Mde is { } mde ? ReportFigures.Times(mde) : "",
         r.Kind == MultiplierKind.Placebo ? "placebo" : r.Status.OnDisk(), Join(r.Note, r.FailedReplicates > 0 ? $"{r.FailedReplicates} of {r.Replicates} replicates failed" : null) ?? ""];
}
