using Harness.Config;

namespace Harness.Evaluation;

/// <summary>Which kind of point of a unit's training a benchmark score is taken at.</summary>
public enum EvaluationPointKind
{
    /// <summary>A held-out evaluation along the training curve: scored on the fixed cheap subset.</summary>
    Curve,
    /// <summary>The end of a finished run, the teacher, or a saved model scored again.</summary>
    Final,
}

/// <summary>
/// The point a <see cref="UnitEvaluator"/> scores, and the one rule for how many items it scores:
/// a curve point scores the fixed cheap subset of <c>evaluation.curve_subset</c> items per task, and its rows are marked
/// <see cref="Results.EvalRow.Subset"/> so the report and the estimator never take them for final scores; a final point
/// scores <c>evaluation.max_items</c> items per task (0 = all), and a cap there is not the curve subset.
/// </summary>
public readonly record struct EvaluationPoint(EvaluationPointKind Kind, int Step, long Tokens)
{
    public static EvaluationPoint Curve(int step, long tokens) => new(EvaluationPointKind.Curve, step, tokens);
    public static EvaluationPoint Final(int step, long tokens) => new(EvaluationPointKind.Final, step, tokens);

    public bool IsFinal => Kind == EvaluationPointKind.Final;

    /// <summary>True for rows scored on the curve subset (the <c>subset</c> column of evals.csv).</summary>
    public bool IsCurveSubset => Kind == EvaluationPointKind.Curve;

    /// <summary>Items per task to score at this point (null = every item).</summary>
    public int? MaxItems(EvaluationSpec spec) => Kind switch
    {
        EvaluationPointKind.Curve => spec.CurveSubset > 0
            ? spec.CurveSubset
            : throw new InvalidOperationException("a curve point is scored only when evaluation.curve_subset > 0"),
        _ => spec.MaxItems > 0 ? spec.MaxItems : null,
    };
}
