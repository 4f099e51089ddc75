using System.Globalization;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>
/// The "Claims" section (issue 23): one row per claim of summary.json's <c>claims</c> — the estimate that tests it, its
/// 95% interval, the minimum detectable effect and the verdict — with each rule and source collapsed below
/// (README "Claims").
/// </summary>
internal static class ClaimsSection
{
    public static Section? Build(ResultsFolder folder)
    {
        var claims = folder.Summary?.Claims ?? [];
        if (claims.Count == 0) return null;
        var blocks = new List<Block>
        {
            new Para("What this run says about the claims users bring (README \"Claims\"): the estimate that tests each, its 95% interval, the minimum detectable effect (MDE) of that estimate, " +
                     "and the verdict: supported or contradicted when the interval lies on one side of the claim's threshold, cannot tell when it straddles it (at this run's power), " +
                     "not measured when the run has no estimate for it."),
            new TableBlock(new Table(["claim", "treatment", "metric", "accounting", "student", "estimate [95% CI]", "threshold", "MDE", "verdict", "notes"],
                claims.Select(c => (IReadOnlyList<string>)[c.Statement, c.Treatment, c.Metric, c.Accounting, c.Student == "*" ? "" : c.Student,
                    Estimate(c), c.Threshold is { } t ? N(t) : "", c.Mde is { } m ? N(m) : "", OnDiskEnum<ClaimVerdict>.Name(c.Verdict), c.Note]).ToList())),
            new Details("Rules and sources of the verdicts",
                claims.GroupBy(c => c.Claim).Select(g => (Block)new Para($"{g.First().Statement} ({g.Key}): {g.First().Rule}. Source: {g.First().Source}.")).ToList()),
        };
        return new Section("claims", "Claims", blocks);
    }

    static string N(double v) => v.ToString(Math.Abs(v) >= 1000 || (v != 0 && Math.Abs(v) < 0.01) ? "0.##e0" : "0.###", CultureInfo.InvariantCulture);

    static string Estimate(ClaimRow c) => c.Estimate is not { } e ? "–"
        : c.Quantity + " " + N(e) + (c.Ci95Low is { } lo && c.Ci95High is { } hi ? $" [{N(lo)}, {N(hi)}]" : "");
}
