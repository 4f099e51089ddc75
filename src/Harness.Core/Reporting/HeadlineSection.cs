using Harness.Results;
using static Harness.Reporting.ReportText;

namespace Harness.Reporting;

/// <summary>The headline, first on the page without a heading: the sentence a reader can quote, placebo alarms, the headline figure.</summary>
internal static class HeadlineSection
{
    public static Section Build(ResultsFolder folder, string headlineMetric)
    {
        // Headline: the sentence, placebo alarms, the figure.
        var headlineBlocks = new List<Block> { new Para(HeadlineSentence(folder), Lead: true) };
        headlineBlocks.AddRange(CleanWarnings(folder.Summary?.Warnings.Where(w => w.StartsWith("PLACEBO", StringComparison.Ordinal)) ?? []).Select(w => new Warn(w)));
        if (folder.Multipliers.Any(r => r.Kind is MultiplierKind.Summary && r.Metric == headlineMetric && r.Accounting == "student" && r.M is > 0))
            headlineBlocks.Add(new FigureBlock(ReportFigures.Headline(folder, headlineMetric)));
        return new Section("headline", "Headline", headlineBlocks);
    }

    /// <summary>
    /// The sentence a reader can quote: treatment, estimand, M with its 95% CI, the placebo, and how many pairs the
    /// treatment won, for the headline metric (val_loss) and student-only accounting.
    /// </summary>
    internal static string HeadlineSentence(ResultsFolder folder)
    {
        var summary = folder.Summary;
        var metric = summary?.HeadlineMetric is { Length: > 0 } hm ? hm : CapabilityPoints.ValLoss;
        var rows = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Metric == metric && r.Accounting == "student").ToList();
        if (rows.Count == 0) return "No headline: multipliers.csv has no summary for " + metric + " (run `harness estimate` on this folder).";
        var parts = new List<string>();
        foreach (var treatment in rows.Select(r => r.Treatment).Distinct())
        {
            var a = rows.FirstOrDefault(r => r.Treatment == treatment && r.Estimand == Estimand.Frontier);
            var b = rows.FirstOrDefault(r => r.Treatment == treatment && r.Estimand == Estimand.SameSize);
            var head = a is { M: not null } ? a : b;
            if (head is null) continue;
            var text = $"{treatment}: scratch needs {MText(head)} the student compute to reach the same {metric} (M, estimand {head.Estimand.OnDisk()}, 95% CI)";
            text += head.PlaceboM is not null
                ? $"; the placebo (a scratch seed scored as a treatment, truth 1) gives {PlaceboText(head)}"
                : "; no placebo (it needs at least 2 seeds)";
            if (b is not null && b.Pairs > 0)
                text += $"; it won {b.Won} of {b.Pairs} same-size, same-budget, same-seed pairs" + (b.M is not null ? $" (same-size gain {MText(b)})" : "");
            parts.Add(text + ".");
        }
        return parts.Count == 0 ? $"No headline: no estimand has a value for {metric}." : string.Join(" ", parts);
    }
}
