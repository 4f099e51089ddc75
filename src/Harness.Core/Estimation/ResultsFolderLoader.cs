using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// The estimator's adapter over the one reader: turns a sweep's results folder (read by <see cref="ResultsFolder"/>,
/// paths from <see cref="RunFolderLayout"/>) into <see cref="EstimationInput"/>: the points of <see cref="ResultsFolder.Observations"/>
/// ("val_loss" and "val_bpb" from the curves, "&lt;task&gt;/&lt;metric&gt;" from the evaluations; units with status other
/// than ok and the teacher left out), the same points the report draws.
/// </summary>
public static class ResultsFolderLoader
{
    public const string ValLoss = ResultMetrics.ValLoss;
    public const string ValBpb = ResultMetrics.ValBpb;
    /// <summary>Per-task continuous loss: mean −ln p(correct choice) over items (Evaluation/EvaluationMetrics.cs).</summary>
    public const string TaskLoss = ResultMetrics.TaskLoss;

    public static EstimationInput Load(string dir)
    {
        if (!Directory.Exists(dir))
            throw new UserInputException($"{dir}: results folder not found; pass the folder that holds {ResultSchema.RunsFile}.");
        var runsPath = new RunFolderLayout(dir).Runs;
        if (!File.Exists(runsPath))
            throw new UserInputException($"{runsPath}: file not found.");
        return Load(ResultsFolder.Load(dir, withEstimates: false));
    }

    public static EstimationInput Load(ResultsFolder folder)
    {
        var notes = new List<string>();
        var metrics = new List<MetricSeries>();
        foreach (var m in folder.Observations())
        {
            var validation = m.Metric is ResultMetrics.ValLoss or ResultMetrics.ValBpb;
            if (m.LeftOut > 0)
                notes.Add(validation
                    ? $"{m.Metric}: {m.LeftOut} point(s) with non-positive or missing value or compute left out."
                    : $"{m.Metric}: {m.LeftOut} evaluation(s) without a matching curve step or with an unusable value left out.");
            if (m.Points.Count == 0) continue;
            var points = m.Points.Select(p => new MetricPoint(p.Run.Method, p.Run.UnitKey, p.Run.Student, p.Run.Budget,
                p.Params, p.Tokens, p.Flops, p.Value, p.IsFinal, p.SeedName, p.Items)).ToList();
            metrics.Add(new MetricSeries(m.Metric, m.HigherIsBetter ? MetricKind.Score : MetricKind.Loss, m.Chance, points));
        }
        return new EstimationInput
        {
            Source = folder.Directory,
            BaselineGroup = ResultSchema.ScratchMethod,
            TreatmentGroups = folder.Treatments(),
            Metrics = metrics,
            ExcludedFailedUnits = folder.FailedStudentUnits,
            Notes = notes,
        };

    }
}
