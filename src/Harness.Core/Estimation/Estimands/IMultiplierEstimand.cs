using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>
/// One estimand of the efficiency multiplier (README "Efficiency-multiplier estimator"): how it measures ln M on a
/// comparison's fit, and the multipliers.csv rows it writes.  Estimands are reported under their own names and never
/// averaged together; each file cites its formula.
/// </summary>
internal interface IMultiplierEstimand
{
    Estimand Name { get; }

    /// <summary>False when the design lacks what the estimand needs (its rows are then written as withheld, with the reason).</summary>
    bool AppliesTo(ComparisonDesign design);

    /// <summary>Adds this estimand's ln M values (every scenario's summary, and its curve points or sizes) to <paramref name="fit"/>.</summary>
    void Measure(ComparisonDesign design, ComparisonFit fit, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail);

    /// <summary>The rows of one scenario: the summary (with its interval and the placebo beside it) and the detail rows.</summary>
    IEnumerable<MultiplierRow> Rows(EstimandRows rows, AccountingScenario scenario);
}
