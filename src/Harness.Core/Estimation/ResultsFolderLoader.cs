using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// Turns a sweep's results folder (runs.csv, curves.csv, evals.csv; see <see cref="ResultSchema"/>) into
/// <see cref="EstimationInput"/>: "val_loss" and "val_bpb" from the curves (every evaluation point of every run), and
/// "&lt;task&gt;/&lt;metric&gt;" from the evaluations.  Units with status other than ok and the teacher are left out.
/// </summary>
public static class ResultsFolderLoader
{
    public const string ValLoss = "val_loss";
    public const string ValBpb = "val_bpb";
    /// <summary>Per-task continuous loss: mean −ln p(correct choice) over items (Evaluation/Metrics.cs).</summary>
    public const string TaskLoss = "task_loss";

    public static EstimationInput Load(string dir)
    {
        if (!Directory.Exists(dir))
            throw new UserInputException($"{dir}: results folder not found; pass the folder that holds {ResultSchema.RunsFile}.");
        var runsPath = Path.Combine(dir, ResultSchema.RunsFile);
        var runs = ResultTables.ReadAll<RunRow>(runsPath)
                               .Where(r => r.Method != ResultSchema.TeacherUnitKey && r.UnitKey != ResultSchema.TeacherUnitKey)
                               .ToList();
        var failed = runs.Count(r => !IsOk(r.Status));
        var ok = runs.Where(r => IsOk(r.Status)).GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var notes = new List<string>();

        var curvesPath = Path.Combine(dir, ResultSchema.CurvesFile);
        var curves = File.Exists(curvesPath)
            ? ResultTables.ReadAll<CurveRow>(curvesPath).Where(c => ok.ContainsKey(c.UnitKey)).ToList()
            : [];
        var curveByStep = curves.GroupBy(c => (c.UnitKey, c.Step)).ToDictionary(g => g.Key, g => g.Last());

        var metrics = new List<MetricSeries>();
        foreach (var (name, pick) in new (string, Func<double, double, double>)[] { (ValLoss, (l, _) => l), (ValBpb, (_, b) => b) })
        {
            var points = new List<MetricPoint>();
            if (curves.Count > 0)
            {
                foreach (var c in curves)
                {
                    var run = ok[c.UnitKey];
                    points.Add(new MetricPoint(run.Method, c.UnitKey, run.Student, run.Budget, c.ParamsNonEmbedding, c.Tokens,
                        Flops(c), pick(c.ValLoss, c.ValBitsPerByte), c.IsFinal, Seed(run)));
                }
            }
            else
            {
                // No curves: the runs' final values are the only points.
                foreach (var run in ok.Values.Where(r => r.IsFinal))
                    points.Add(new MetricPoint(run.Method, run.UnitKey, run.Student, run.Budget, run.ParamsNonEmbedding, run.Tokens,
                        Flops(run), pick(run.ValLoss, run.ValBitsPerByte), true, Seed(run)));
            }
            var usable = points.Where(p => double.IsFinite(p.Value) && p.Value > 0 && p.Flops.StudentTrain > 0).ToList();
            if (usable.Count < points.Count)
                notes.Add($"{name}: {points.Count - usable.Count} point(s) with non-positive or missing value or compute left out.");
            if (usable.Count > 0) metrics.Add(new MetricSeries(name, MetricKind.Loss, double.NaN, usable));
        }

        var evalsPath = Path.Combine(dir, ResultSchema.EvalsFile);
        if (File.Exists(evalsPath))
        {
            var evals = ResultTables.ReadAll<EvalRow>(evalsPath)
                                    .Where(e => e.UnitKey != ResultSchema.TeacherUnitKey && ok.ContainsKey(e.UnitKey))
                                    // The full set beats the cheap subset when both were scored at the same step.
                                    .GroupBy(e => (e.UnitKey, e.Step, e.Task, e.Metric))
                                    .Select(g => g.OrderBy(e => e.Subset).First())
                                    .ToList();
            foreach (var byMetric in evals.GroupBy(e => e.Task + "/" + e.Metric).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var higherIsBetter = byMetric.First().HigherIsBetter;
                var chance = byMetric.Select(e => e.Chance).FirstOrDefault(double.IsFinite, double.NaN);
                var points = new List<MetricPoint>();
                var unmatched = 0;
                foreach (var e in byMetric)
                {
                    var run = ok[e.UnitKey];
                    FlopBreakdown flops;
                    long tokens;
                    if (curveByStep.TryGetValue((e.UnitKey, e.Step), out var c)) { flops = Flops(c); tokens = c.Tokens; }
                    else if (e.IsFinal) { flops = Flops(run); tokens = run.Tokens; }
                    else { unmatched++; continue; }
                    if (!double.IsFinite(e.Value) || flops.StudentTrain <= 0 || (!higherIsBetter && e.Value <= 0)) { unmatched++; continue; }
                    points.Add(new MetricPoint(run.Method, e.UnitKey, run.Student, run.Budget, run.ParamsNonEmbedding, tokens, flops, e.Value, e.IsFinal,
                        Seed(run), e.Items));
                }
                if (unmatched > 0)
                    notes.Add($"{byMetric.Key}: {unmatched} evaluation(s) without a matching curve step or with an unusable value left out.");
                if (points.Count > 0)
                    metrics.Add(new MetricSeries(byMetric.Key, higherIsBetter ? MetricKind.Score : MetricKind.Loss, chance, points));
            }
        }

        var treatments = ok.Values.Select(r => r.Method).Where(m => m != ResultSchema.ScratchMethod)
                           .Distinct().Order(StringComparer.Ordinal).ToList();
        return new EstimationInput
        {
            Source = dir,
            BaselineGroup = ResultSchema.ScratchMethod,
            TreatmentGroups = treatments,
            Metrics = metrics,
            ExcludedFailedUnits = failed,
            Notes = notes,
        };
    }

    static string Seed(RunRow run) => run.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static bool IsOk(string status) => string.Equals(status, "ok", StringComparison.OrdinalIgnoreCase);

    static FlopBreakdown Flops(CurveRow c) =>
        new(c.FlopsStudentTrain, c.FlopsTeacherInference, c.FlopsTeacherCacheShare, c.FlopsSyntheticGeneration, c.FlopsTeacherPretrain);

    static FlopBreakdown Flops(RunRow r) =>
        new(r.FlopsStudentTrain, r.FlopsTeacherInference, r.FlopsTeacherCacheShare, r.FlopsSyntheticGeneration, r.FlopsTeacherPretrain);
}
