using Harness.Results;

namespace Harness.Sweep;

/// <summary>
/// A sweep's compute, two ways: what it actually spent (Σ of each unit's own training; a WSD trunk counted once) and
/// what its finished runs would cost if each were trained separately (Σ of their per-run FLOP columns, which for a WSD
/// branch include the trunk share up to its fork).  The ratio is the saving of the shared trunks (1 for cosine).
/// </summary>
public sealed record ComputeTotals(int Units, int FinishedRuns, long TokensSpent, double StudentTrainFlopsSpent, double TeacherInferenceFlopsSpent,
                                   long FinishedRunTokens, double FinishedRunStudentTrainFlops)
{
    /// <summary>From written rows (runs.csv / row.json).  Rows from before the *_spent columns count as whole runs.</summary>
    public static ComputeTotals From(IReadOnlyCollection<RunRow> rows)
    {
        var finished = rows.Where(r => r.IsFinal && r.Status == RunRowStatus.Ok).ToList();
        return new ComputeTotals(rows.Count, finished.Count,
            rows.Sum(r => r.TokensSpent >= 0 ? r.TokensSpent : r.Tokens),
            rows.Sum(r => r.FlopsStudentTrainSpent >= 0 ? r.FlopsStudentTrainSpent : r.FlopsStudentTrain),
            rows.Sum(r => r.FlopsTeacherInferenceSpent >= 0 ? r.FlopsTeacherInferenceSpent : r.FlopsTeacherInference),
            finished.Sum(r => r.Tokens), finished.Sum(r => r.FlopsStudentTrain));
    }

    /// <summary>Predicted from the plan (`--dry-run`); teacher inference is not predicted (0).</summary>
    public static ComputeTotals Predict(IReadOnlyCollection<SweepUnit> units)
    {
        var finished = units.Where(u => u.IsFinishedRun).ToList();
        return new ComputeTotals(units.Count, finished.Count, units.Sum(u => u.OwnTokens), units.Sum(u => u.PredictedTrainFlops), 0,
            finished.Sum(u => u.EndTokens), finished.Sum(u => u.FinishedRunFlops));
    }

    /// <summary>Σ finished-run student FLOPs ÷ student FLOPs spent: how much the shared trunks saved (1 = nothing shared).</summary>
    public double SharingFactor => StudentTrainFlopsSpent > 0 ? FinishedRunStudentTrainFlops / StudentTrainFlopsSpent : double.NaN;

    /// <summary>The manifest's <c>compute</c> part.</summary>
    public ComputeSummary ToManifest() => new()
    {
        Units = Units,
        FinishedRuns = FinishedRuns,
        StudentTokensSpent = TokensSpent,
        StudentTrainFlopsSpent = StudentTrainFlopsSpent,
        TeacherInferenceFlopsSpent = TeacherInferenceFlopsSpent,
        FinishedRunStudentTokens = FinishedRunTokens,
        FinishedRunStudentTrainFlops = FinishedRunStudentTrainFlops,
        SharingFactor = double.IsFinite(SharingFactor) ? SharingFactor : null,
        Note = "*_spent: compute actually spent by this sweep's units (each WSD trunk once). finished_run_*: Σ over finished runs " +
               "(runs.csv is_final) of their per-run columns, i.e. each run as if trained separately. Teacher pre-training and the " +
               "teacher-logit cache build are not included.",
    };
}
