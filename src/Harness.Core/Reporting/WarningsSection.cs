using System.Globalization;
using Harness.Results;
using static Harness.Reporting.ReportText;

namespace Harness.Reporting;

/// <summary>The "Failed units and warnings" section: failed units, missing inputs, fit problems, extrapolation and censoring, deduplicated.</summary>
internal static class WarningsSection
{
    public static Section Build(ResultsFolder folder, Func<string, bool> shown)
    {
        bool Shown(string metric) => shown(metric);
        var warnings = new List<string>();
        foreach (var missing in folder.Missing) warnings.Add($"{missing} is missing from the results folder.");
        warnings.AddRange(FrontierFits.Of(folder).Problems);
        if (folder.Manifest is null) warnings.Add("manifest.json is missing: provenance is incomplete.");
        if (folder.Summary is { } est)
        {
            warnings.AddRange(est.Warnings.Where(w => !w.StartsWith("PLACEBO", StringComparison.Ordinal)));
            if (!est.FinishedRunsOnly) warnings.Add("intermediate checkpoints entered the fits (--all-checkpoints): the frontiers mix finished and unfinished runs.");
        }
        foreach (var g in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Curve && r.Extrapolated && r.Accounting == "student" && Shown(r.Metric)).GroupBy(r => (r.Treatment, r.Metric)))
            warnings.Add($"extrapolated: {g.Key.Treatment} on {g.Key.Metric}: {g.Count()} y value(s) of the frontier curve need a frontier outside its runs' tokens; " +
                         "they are listed in multipliers.csv (kind curve, extrapolated true) and left out of the frontier summary.");
        foreach (var r in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Accounting == "student" && r.Censored > 0 && Shown(r.Metric)))
            warnings.Add($"censored: {r.Treatment} on {r.Metric}: {r.Censored} of {r.Pairs} pair(s) lie beyond the scratch runs' budgets of their size; " +
                         $"they enter the same-size mean at their bounds, so it is a {(r.Bound == MultiplierBound.Mixed ? "mixed bound" : r.Bound.OnDisk() + " bound")}.");
        foreach (var m in folder.Fits?.Metrics ?? [])
            if (Shown(m.Metric))
                foreach (var arm in m.Arms)
                    foreach (var flag in arm.Law?.AtBound ?? [])
                        warnings.Add($"law on a bound: {arm.Group} on {m.Metric}: {flag}. Relying on this law: the frontier estimand (each C*(y) and the report's frontier lines), " +
                                     "the same_size pairs read off the fitted curve (outside their own seed's runs) and the effective_data estimand with its slopes and crossovers; " +
                                     "within the runs' range the pairs read off same-seed runs do not depend on it (fits.json: at_bound).");
        var cleaned = CleanWarnings(warnings);
        var failed = folder.FailedUnits.ToList();
        var warnBlocks = new List<Block>
        {
            new Para((failed.Count == 0 ? "No unit failed." : $"{failed.Count} unit(s) failed; they have no final point and no multiplier.") + " " +
                     (cleaned.Count == 0 ? "No extrapolation or input warnings." : $"{cleaned.Count} warning(s)."))
        };
        if (failed.Count > 0)
            warnBlocks.Add(new Details($"Failed units ({failed.Count})", [new TableBlock(new Table(["unit", "method", "student", "budget", "seed", "reason"],
                failed.Select(r => (IReadOnlyList<string>)[r.UnitKey, r.Method, r.Student, r.Budget, r.Seed.ToString(CultureInfo.InvariantCulture), r.FailureReason]).ToList()))],
                Open: failed.Count <= 3));
        if (cleaned.Count > 0)
            warnBlocks.Add(new Details($"Warnings ({cleaned.Count})", cleaned.Select(w => (Block)new Warn(w)).ToList(), Open: cleaned.Count <= 3));
        return new Section("warnings", "Failed units and warnings", warnBlocks);
    }
}
