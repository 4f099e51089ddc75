using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>
/// One row of summary.json's <c>claims</c> and of the report's Claims section (issue 23): a claim users bring to a
/// distillation run, the estimate that tests it (<see cref="Quantity"/> of <see cref="Estimand"/> on
/// <see cref="Metric"/> under <see cref="Accounting"/>), its 95% interval, the minimum detectable effect of that
/// estimate, and the verdict by the rule written in <see cref="Rule"/> (README "Claims" gives each rule and its source).
/// Empty numbers are null; a claim the run cannot test is <see cref="ClaimVerdict.NotMeasured"/> with what it needs.
/// </summary>
public sealed record ClaimRow
{
    /// <summary>Stable id: several_fold, differs_by_benchmark, shrinks_with_size, knowledge_recall, amortised_teacher, logit_vs_seq_kd.</summary>
    public string Claim { get; init; } = "";
    /// <summary>The claim as users state it.</summary>
    public string Statement { get; init; } = "";
    /// <summary>Treatment method ("logit-kd/seq-kd" for the comparison of two treatments; "*" when none applies).</summary>
    public string Treatment { get; init; } = "*";
    public string Metric { get; init; } = "";
    /// <summary>Estimand the estimate comes from (frontier | same_size | effective_data; empty for a test statistic such as I²).</summary>
    public string Estimand { get; init; } = "";
    public string Accounting { get; init; } = "";
    /// <summary>Student size of a per-size claim; "*" otherwise.</summary>
    public string Student { get; init; } = "*";
    /// <summary>What <see cref="Estimate"/> is: m, i2, slope_ln_n, m_ratio_knowledge_loss, payoff_students, m_ratio_logit_seq.</summary>
    public string Quantity { get; init; } = "";
    public double? Estimate { get; init; }
    public double? Ci95Low { get; init; }
    public double? Ci95High { get; init; }
    /// <summary>Minimum detectable effect of the estimate (two-sided 5%, 80% power), on the quantity's scale (README "Claims").</summary>
    public double? Mde { get; init; }
    /// <summary>The threshold the rule compares the interval with (e.g. 3 for "several-fold").</summary>
    public double? Threshold { get; init; }
    [JsonConverter(typeof(OnDiskEnumJsonConverter<ClaimVerdict>))] public ClaimVerdict Verdict { get; init; } = ClaimVerdict.NotMeasured;
    /// <summary>The verdict rule, in words and symbols.</summary>
    public string Rule { get; init; } = "";
    /// <summary>Where the claim comes from (seeds, paper, anchor table).</summary>
    public string Source { get; init; } = "";
    public string Note { get; init; } = "";
}
