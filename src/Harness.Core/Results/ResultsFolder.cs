using System.Globalization;

namespace Harness.Results;

/// <summary>
/// Everything a results folder (results/&lt;experiment&gt;/&lt;run-id&gt;/) holds, read once, in its typed records: the
/// one reader the estimator, the report, <c>compare</c>, <c>merge</c> and <c>eval</c> share.  Tables that are absent load
/// empty and are listed in <see cref="Missing"/>; a folder with neither runs.csv nor curves.csv is not a results folder
/// and is refused.  <see cref="Observations"/> is the one rule that turns rows into capability-vs-compute points, so the
/// report draws exactly the points the estimator fits.  Paths come from <see cref="RunFolderLayout"/>; Sweep's
/// <c>RunFolder</c> is the writer.
/// </summary>
public sealed class ResultsFolder
{
    public required string Directory { get; init; }
    /// <summary>manifest.json; null when the folder has none.</summary>
    public required RunManifest? Manifest { get; init; }
    public required IReadOnlyList<RunRow> Runs { get; init; }
    public required IReadOnlyList<CurveRow> Curves { get; init; }
    public required IReadOnlyList<EvalRow> Evals { get; init; }
    public required IReadOnlyList<MultiplierRow> Multipliers { get; init; }
    /// <summary>The estimator's fits.json; null when absent or unreadable (then <see cref="FitsProblem"/> says why).</summary>
    public FitsDocument? Fits { get; init; }
    public string? FitsProblem { get; init; }
    /// <summary>The estimator's summary.json (null when absent).</summary>
    public EstimateSummary? Summary { get; init; }
    public required IReadOnlyList<string> Missing { get; init; }
    /// <summary>Tables present but 0 bytes long (not even a header): truncated or never written.</summary>
    public IReadOnlyList<string> Empty { get; init; } = [];

    /// <summary>A short name for tables: the folder name (the run id).</summary>
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));

    /// <summary>Reads the folder.  <paramref name="withEstimates"/> false reads only what the sweep wrote (manifest, runs,
    /// curves, evals), so the estimator can rerun over estimates of an older schema; multipliers, summary and fits then
    /// read empty.</summary>
    public static ResultsFolder Load(string directory, bool withEstimates = true)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new UserInputException($"{directory}: no such results folder. Pass results/<experiment>/<run-id>/ as written by `harness run`.");
        var layout = new RunFolderLayout(directory);
        string P(string file) => layout.In(file);
        if (!File.Exists(layout.Runs) && !File.Exists(layout.Curves))
            throw new UserInputException($"{directory}: has neither {ResultSchema.RunsFile} nor {ResultSchema.CurvesFile}; it is not a results folder " +
                                         "(pass results/<experiment>/<run-id>/, the folder `harness run` wrote).");
        var missing = new[] { ResultSchema.ManifestFile, ResultSchema.RunsFile, ResultSchema.CurvesFile, ResultSchema.EvalsFile, ResultSchema.MultipliersFile, ResultSchema.SummaryFile, ResultSchema.FitsFile }
            .Where(f => !File.Exists(P(f))).ToList();
        List<T> Table<T>(string file) where T : class => File.Exists(P(file)) ? ResultTables.ReadAll<T>(P(file)) : [];
        string? fitsProblem = null;
        var fits = withEstimates ? ReadFits(directory, out fitsProblem) : null;
        return new ResultsFolder
        {
            Directory = directory,
            Manifest = RunManifestFile.Read(directory),
            Runs = Table<RunRow>(ResultSchema.RunsFile),
            Curves = Table<CurveRow>(ResultSchema.CurvesFile),
            Evals = Table<EvalRow>(ResultSchema.EvalsFile),
            Multipliers = withEstimates ? Table<MultiplierRow>(ResultSchema.MultipliersFile) : [],
            Fits = fits,
            FitsProblem = fitsProblem,
            Summary = withEstimates ? ResultJson.Read<EstimateSummary>(P(ResultSchema.SummaryFile)) : null,
            Missing = missing,
            Empty = new[] { ResultSchema.RunsFile, ResultSchema.CurvesFile, ResultSchema.EvalsFile }.Where(f => File.Exists(P(f)) && new FileInfo(P(f)).Length == 0).ToList(),
        };
    }

    /// <summary>
    /// Where runs.csv and curves.csv disagree, one line per problem (empty when they agree): an empty table, an ok unit
    /// whose final val_loss or val_bpb is not finite, an ok unit with no curve, or a final value in runs.csv that is not
    /// the value of the unit's last curves.csv point.  The runner writes both from the same numbers, so any of these means
    /// a file was edited, truncated or mixed from two runs; the estimator (which reads curves.csv) would otherwise follow
    /// one of them silently.
    /// </summary>
    public IReadOnlyList<string> Disagreements()
    {
        var problems = new List<string>();
        string P(string file) => new RunFolderLayout(Directory).In(file);
        foreach (var file in Empty)
            problems.Add($"{P(file)}: the file is empty (0 bytes, not even a header); it is truncated or was never written completely.");
        var lastCurve = Curves.GroupBy(c => c.UnitKey, StringComparer.Ordinal)
                              .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Step).ThenBy(c => c.IsFinal).Last(), StringComparer.Ordinal);
        for (int i = 0; i < Runs.Count; i++)
        {
            var r = Runs[i];
            if (!IsStudent(r) || r.Status != RunRowStatus.Ok || !r.IsFinal) continue;
            var at = $"{P(ResultSchema.RunsFile)}: row {i + 2} (unit {r.UnitKey}, {r.Method}/{r.Student}/{r.Budget}/seed{r.Seed})";
            if (!double.IsFinite(r.ValLoss) || !double.IsFinite(r.ValBitsPerByte))
            {
                problems.Add($"{at}: val_loss {Show(r.ValLoss)}, val_bpb {Show(r.ValBitsPerByte)} are not both finite, yet its status is ok" +
                             (lastCurve.TryGetValue(r.UnitKey, out var lc) ? $" (its last curves.csv point, step {lc.Step}, says {Show(lc.ValLoss)} / {Show(lc.ValBitsPerByte)})." : "."));
                continue;
            }
            if (Empty.Contains(ResultSchema.CurvesFile) || Missing.Contains(ResultSchema.CurvesFile)) continue;
            if (!lastCurve.TryGetValue(r.UnitKey, out var c))
                problems.Add($"{at}: finished, but curves.csv has no point of this unit.");
            else if (!Same(r.ValLoss, c.ValLoss) || !Same(r.ValBitsPerByte, c.ValBitsPerByte))
                problems.Add($"{at}: final val_loss {Show(r.ValLoss)} / val_bpb {Show(r.ValBitsPerByte)}, but its last curves.csv point (step {c.Step}) " +
                             $"says {Show(c.ValLoss)} / {Show(c.ValBitsPerByte)}.");
        }
        return problems;
    }

    /// <summary>The fix for <see cref="Disagreements"/>, for messages.</summary>
    public const string DisagreementFix =
        "the runner writes runs.csv and curves.csv from the same per-unit files (units/KEY/), so rebuild both with " +
        "`harness run CONFIG --force-report` (or `harness merge` for shards), or restore the files, then rerun.";

    /// <summary>Equal up to CSV round-trip (values are written shortest-round-trip, so normally bit-equal).</summary>
    static bool Same(double a, double b) => a.Equals(b) || Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));

    static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>fits.json of a folder, tolerantly: null with <paramref name="problem"/> set when it cannot be read, null
    /// with no problem when it is absent (the estimator has not run).</summary>
    public static FitsDocument? ReadFits(string directory, out string? problem)
    {
        problem = null;
        try { return ResultJson.Read<FitsDocument>(new RunFolderLayout(directory).Fits); }
        catch (UserInputException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Units that did not finish (status other than ok).</summary>
    public IEnumerable<RunRow> FailedUnits => Runs.Where(r => r.Status != RunRowStatus.Ok);

    /// <summary>True for rows of students (not the teacher's own pseudo unit).</summary>
    static bool IsStudent(RunRow r) => r.Method != ResultSchema.TeacherUnitKey && r.UnitKey != ResultSchema.TeacherUnitKey;

    /// <summary>Student units whose row says ok, by unit key (the last row of a key wins): the only units whose numbers
    /// are estimated, drawn or compared.</summary>
    public IReadOnlyDictionary<string, RunRow> OkUnits() =>
        Runs.Where(r => IsStudent(r) && r.Status == RunRowStatus.Ok).GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>Student units whose row says failed (left out of every estimate).</summary>
    public int FailedStudentUnits => Runs.Count(r => IsStudent(r) && r.Status != RunRowStatus.Ok);

    /// <summary>
    /// The capability-vs-compute points of every metric, by one rule:
    /// <list type="bullet">
    /// <item><c>val_loss</c> and <c>val_bpb</c>: every curves.csv point of an ok unit (without curves, the runs' final
    /// values), kept when the value is finite and positive and the student compute positive;</item>
    /// <item><c>task/metric</c>: evals.csv rows of ok units (the full set beats the cheap subset at the same step), placed
    /// at the compute of the same unit and step in curves.csv, or, for a final evaluation without a curve point, at the
    /// run's final compute; kept when the value is finite (positive for a loss) and the compute positive.</item>
    /// </list>
    /// The estimator fits these points and the report draws them; what each left out is counted in
    /// <see cref="MetricObservations.LeftOut"/>.
    /// </summary>
    public IReadOnlyList<MetricObservations> Observations() => observations ??= Observe();

    IReadOnlyList<MetricObservations>? observations;

    IReadOnlyList<MetricObservations> Observe()
    {
        var ok = OkUnits();
        var curves = Curves.Where(c => ok.ContainsKey(c.UnitKey)).ToList();
        var curveByStep = curves.GroupBy(c => (c.UnitKey, c.Step)).ToDictionary(g => g.Key, g => g.Last());
        var result = new List<MetricObservations>();
        foreach (var (name, pick) in new (string, Func<double, double, double>)[] { (ResultMetrics.ValLoss, (l, _) => l), (ResultMetrics.ValBpb, (_, b) => b) })
        {
            var points = curves.Count > 0
                ? curves.Select(c => new MetricObservation(ok[c.UnitKey], c.ParamsNonEmbedding, c.Tokens, FlopBreakdown.Of(c), pick(c.ValLoss, c.ValBitsPerByte), c.IsFinal, c.Step, 0))
                        .ToList()
                // No curves: the runs' final values are the only points.
                : ok.Values.Where(r => r.IsFinal)
                    .Select(r => new MetricObservation(r, r.ParamsNonEmbedding, r.Tokens, FlopBreakdown.Of(r), pick(r.ValLoss, r.ValBitsPerByte), true, -1, 0)).ToList();
            var usable = points.Where(p => double.IsFinite(p.Value) && p.Value > 0 && p.Flops.StudentTrain > 0).ToList();
            result.Add(new MetricObservations(name, HigherIsBetter: false, double.NaN, usable, points.Count - usable.Count));
        }

        var evals = Evals.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey && ok.ContainsKey(e.UnitKey))
                         .GroupBy(e => (e.UnitKey, e.Step, e.Task, e.Metric))
                         .Select(g => g.OrderBy(e => e.Subset).First())
                         .ToList();
        foreach (var byMetric in evals.GroupBy(e => ResultMetrics.ForTask(e.Task, e.Metric)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var higherIsBetter = byMetric.First().HigherIsBetter;
            var chance = byMetric.Select(e => e.Chance).FirstOrDefault(double.IsFinite, double.NaN);
            var points = new List<MetricObservation>();
            var leftOut = 0;
            foreach (var e in byMetric)
            {
                var run = ok[e.UnitKey];
                FlopBreakdown flops;
                long tokens;
                if (curveByStep.TryGetValue((e.UnitKey, e.Step), out var c)) { flops = FlopBreakdown.Of(c); tokens = c.Tokens; }
                else if (e.IsFinal) { flops = FlopBreakdown.Of(run); tokens = run.Tokens; }
                else { leftOut++; continue; }
                if (!double.IsFinite(e.Value) || flops.StudentTrain <= 0 || (!higherIsBetter && e.Value <= 0)) { leftOut++; continue; }
                points.Add(new MetricObservation(run, run.ParamsNonEmbedding, tokens, flops, e.Value, e.IsFinal, e.Step, e.Items));
            }
            result.Add(new MetricObservations(byMetric.Key, higherIsBetter, chance, points, leftOut));
        }
        return result;
    }

    /// <summary>Treatment methods among the ok units (every method but the scratch baseline), in ordinal order.</summary>
    public IReadOnlyList<string> Treatments() =>
        OkUnits().Values.Select(r => r.Method).Where(m => m != ResultSchema.ScratchMethod).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Non-embedding parameters per student name, from runs.csv then curves.csv (for sorting and size axes).</summary>
    public IReadOnlyDictionary<string, double> StudentParams()
    {
        var sizes = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in Runs.Where(r => r.ParamsNonEmbedding > 0)) sizes.TryAdd(r.Student, r.ParamsNonEmbedding);
        foreach (var c in Curves.Where(c => c.ParamsNonEmbedding > 0)) sizes.TryAdd(c.Student, c.ParamsNonEmbedding);
        foreach (var m in Multipliers.Where(m => m.Params > 0 && m.Student != "*")) sizes.TryAdd(m.Student, m.Params!.Value);
        return sizes;
    }
}

/// <summary>One point of <see cref="ResultsFolder.Observations"/>: an ok unit's value on a metric after
/// <see cref="Tokens"/> training tokens, at compute <see cref="Flops"/>.</summary>
/// <param name="Params">Non-embedding parameters as the point's row records them.</param>
/// <param name="Step">Training step of the point; −1 for a run's final value read from runs.csv.</param>
/// <param name="Items">Benchmark items behind the value (0 for validation losses).</param>
public sealed record MetricObservation(RunRow Run, long Params, long Tokens, FlopBreakdown Flops, double Value, bool IsFinal, int Step, int Items)
{
    /// <summary>The seed as the estimator's bootstrap clusters name it.</summary>
    public string SeedName => Run.Seed.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Every usable point of one metric, with the count of rows the rule left out.</summary>
public sealed record MetricObservations(string Metric, bool HigherIsBetter, double Chance, IReadOnlyList<MetricObservation> Points, int LeftOut);
