namespace Harness.Config;

public sealed record EvaluationSpec
{
    /// <summary>"all", "none", or a comma list of task names.</summary>
    public string Tasks { get; init; } = "all";
    /// <summary>Items per task scored at each curve point (0 = only final evaluation).</summary>
    public int CurveSubset { get; init; } = 0;
    /// <summary>Score the curve subset at every N-th held-out evaluation of a run (1 = each), so benchmark curves can be
    /// sparser than the loss curve; the final evaluation always runs.</summary>
    public int CurveEvery { get; init; } = 1;
    /// <summary>Cap on items per task at the final evaluation (0 = all).</summary>
    public int MaxItems { get; init; } = 0;
}
