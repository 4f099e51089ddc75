namespace Harness.Results;

/// <summary>
/// The five FLOP columns of a curve point or run row (README "Compute accounting"; column meanings: <see cref="RunRow"/>),
/// as one value from the accounting (Sweep's <c>UnitAccounting</c>) through the rows (<see cref="Of(CurveRow)"/>,
/// <see cref="CurveRow.WithFlops"/>) to the estimator's accounting scenarios.  For scratch rows the extras are 0.
/// </summary>
/// <param name="StudentTrain">Student forward+backward FLOPs: tokens × the student's training FLOPs per token (Kaplan et al. 2020).</param>
/// <param name="TeacherInference">Teacher forward FLOPs spent online: tokens × C_fwd(teacher).</param>
/// <param name="TeacherCacheShare">Teacher forward FLOPs of the logit-cache entries read: distinct windows × T × C_fwd(teacher).</param>
/// <param name="SyntheticGeneration">Synthetic-corpus generation FLOPs × min(1, tokens used / tokens generated).</param>
/// <param name="TeacherPretrain">The teacher's whole pre-training FLOPs (not divided).</param>
public readonly record struct FlopBreakdown(
    double StudentTrain,
    double TeacherInference = 0,
    double TeacherCacheShare = 0,
    double SyntheticGeneration = 0,
    double TeacherPretrain = 0)
{
    /// <summary>Teacher forward passes, cache build share and synthetic generation actually spent for this unit.</summary>
    public double InferenceExtras => TeacherInference + TeacherCacheShare + SyntheticGeneration;

    public static FlopBreakdown Of(CurveRow c) =>
        new(c.FlopsStudentTrain, c.FlopsTeacherInference, c.FlopsTeacherCacheShare, c.FlopsSyntheticGeneration, c.FlopsTeacherPretrain);

    public static FlopBreakdown Of(RunRow r) =>
        new(r.FlopsStudentTrain, r.FlopsTeacherInference, r.FlopsTeacherCacheShare, r.FlopsSyntheticGeneration, r.FlopsTeacherPretrain);
}
