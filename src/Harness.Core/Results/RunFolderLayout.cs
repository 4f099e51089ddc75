using Harness.IO;

namespace Harness.Results;

/// <summary>
/// Every path of a run folder (<c>results/&lt;experiment&gt;/&lt;config-hash&gt;/</c>), in one place: what the sweep,
/// the executors, the estimator, the report and the CLI write and read there (README "Results folder layout").  It only
/// names paths; <see cref="ResultsFolder"/> reads the folder and Sweep's <c>RunFolder</c> writes its unit files.
/// <code>
/// manifest.json  runs.csv  curves.csv  evals.csv  teacher-evals.json       the sweep
/// multipliers.csv  summary.json  fits.json                                 the estimator (run's own, or estimates/UTC/)
/// report.html  report.md  report_files/ (figures, final_scores.csv)        the report (run's own, or reports/UTC/)
/// units/KEY/  row.json curve.json evals.json train_log.csv worker.json     one finished (or running) unit
///             resume/  model/  forks/step-S/                               its checkpoints
/// claims/KEY.json  .tables.lock  plan.json  logs/unit-I.log                executors
/// slurm/submissions.json  slurm/logs/  slurm/submit-N/                     `harness submit`
/// tensorboard/METHOD-STUDENT-BUDGET-seedN/                                 tracking
/// </code>
/// </summary>
public sealed class RunFolderLayout
{
    public const string UnitsFolder = "units";
    public const string ClaimsFolder = "claims";
    public const string TensorBoardFolder = "tensorboard";
    public const string EstimatesFolder = "estimates";
    public const string ReportsFolder = "reports";
    public const string LogsFolder = "logs";
    public const string SlurmFolder = "slurm";
    /// <summary>The report's figures and its final-scores CSV (linked from report.html and report.md).</summary>
    public const string FiguresFolder = "report_files";
    public const string ReportMarkdownFile = "report.md";
    public const string FinalScoresFile = "final_scores.csv";
    /// <summary>Held while runs.csv, curves.csv, evals.csv or the manifest are rewritten.</summary>
    public const string TablesLockFile = ".tables.lock";
    /// <summary>The executors' unit list (Sweep/Execution/RunPlan).</summary>
    public const string PlanFile = "plan.json";
    /// <summary>Slurm jobs submitted for the run (Sweep/Slurm).</summary>
    public const string SubmissionsFile = "submissions.json";
    /// <summary>Every request and answer of `harness eval --out` (lm-eval's <c>--log_samples</c>, request level).</summary>
    public const string SamplesFile = "samples.jsonl";
    /// <summary>lm-eval's results document, written by `harness eval --out`.</summary>
    public const string LmEvalResultsFile = "results.json";

    public RunFolderLayout(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>A file or folder directly inside the run folder.</summary>
    public string In(string name) => Path.Combine(Directory, name);

    public string Manifest => In(ResultSchema.ManifestFile);
    public string Runs => In(ResultSchema.RunsFile);
    public string Curves => In(ResultSchema.CurvesFile);
    public string Evals => In(ResultSchema.EvalsFile);
    public string TeacherEvals => In(ResultSchema.TeacherEvalsFile);
    public string Multipliers => In(ResultSchema.MultipliersFile);
    public string Summary => In(ResultSchema.SummaryFile);
    public string Fits => In(ResultSchema.FitsFile);
    public string ReportHtml => In(ResultSchema.ReportFile);
    public string ReportMarkdown => In(ReportMarkdownFile);
    public string Figures => In(FiguresFolder);
    public string FinalScores => Path.Combine(Figures, FinalScoresFile);
    public string LmEvalResults => In(LmEvalResultsFile);
    public string Samples => In(SamplesFile);
    public string TablesLock => In(TablesLockFile);
    public string Plan => In(PlanFile);
    public string Units => In(UnitsFolder);
    public string Claims => In(ClaimsFolder);
    public string TensorBoard => In(TensorBoardFolder);
    public string Logs => In(LogsFolder);
    public string Slurm => In(SlurmFolder);
    public string SlurmSubmissions => Path.Combine(Slurm, SubmissionsFile);
    public string SlurmLogs => Path.Combine(Slurm, LogsFolder);

    /// <summary>The tables the sweep regenerates from the unit files, as one set.</summary>
    public IReadOnlyList<string> SweepTables => [Runs, Curves, Evals];

    /// <summary>The estimator's three files (in the run folder or in an <see cref="EstimatesFolder"/> one).</summary>
    public IReadOnlyList<string> EstimateFiles => [Multipliers, Summary, Fits];

    /// <summary>The names (not paths) of the files a report is built from; `harness report --out` copies them over.</summary>
    public static IReadOnlyList<string> ReportInputs =>
        [ResultSchema.ManifestFile, ResultSchema.RunsFile, ResultSchema.CurvesFile, ResultSchema.EvalsFile,
         ResultSchema.MultipliersFile, ResultSchema.SummaryFile, ResultSchema.FitsFile, ResultSchema.TeacherEvalsFile];

    public UnitFolderLayout Unit(string key) => new(Path.Combine(Units, key));

    /// <summary>A unit's claim (held by the process training it).</summary>
    public string Claim(string key) => Path.Combine(Claims, key + ".json");

    /// <summary>A unit's TensorBoard event folder; the names are checked as plain folder names (<see cref="PathNames"/>).</summary>
    public string TensorBoardRun(string method, string student, string budget, int seed) =>
        PathNames.Child(TensorBoard, $"{method}-{student}-{budget}-seed{seed}");

    /// <summary>The log of `run --jobs` worker launch <paramref name="index"/>.</summary>
    public string WorkerLog(int index) => Path.Combine(Logs, $"unit-{index}.log");

    /// <summary>The sbatch scripts of the <paramref name="number"/>th `harness submit` of this run.</summary>
    public string SlurmSubmit(int number) => Path.Combine(Slurm, $"submit-{number}");

    /// <summary>Keys of the units that have a folder under <c>units/</c> (finished or not), in ordinal order.</summary>
    public IReadOnlyList<string> UnitFolderKeys() =>
        System.IO.Directory.Exists(Units)
            ? System.IO.Directory.GetDirectories(Units).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList()
            : [];
}

/// <summary>The paths of one unit's folder, <c>units/KEY/</c>.</summary>
public sealed record UnitFolderLayout(string Directory)
{
    public const string HeartbeatFile = "worker.json";
    public const string ResumeFolder = "resume";
    public const string ModelFolder = "model";
    public const string ForksFolder = "forks";

    /// <summary>row.json, the unit's <see cref="RunRow"/>; written last, so its presence marks the unit finished.</summary>
    public string Row => Path.Combine(Directory, ResultSchema.UnitRowFile);
    public string Curve => Path.Combine(Directory, ResultSchema.UnitCurveFile);
    public string Evals => Path.Combine(Directory, ResultSchema.UnitEvalsFile);
    public string TrainLog => Path.Combine(Directory, ResultSchema.TrainLogFile);
    /// <summary>The heartbeat of the worker training the unit (host, step, tokens/s).</summary>
    public string Heartbeat => Path.Combine(Directory, HeartbeatFile);
    /// <summary>The checkpoint an interrupted unit continues from.</summary>
    public string Resume => Path.Combine(Directory, ResumeFolder);
    /// <summary>The finished student (for `harness eval` and export).</summary>
    public string Model => Path.Combine(Directory, ModelFolder);
    /// <summary>A WSD trunk's snapshot at <paramref name="step"/>, from which its branches cool down.</summary>
    public string Fork(int step) => Path.Combine(Directory, ForksFolder, $"step-{step}");

    /// <summary>The three files <c>merge</c> copies and the CSVs are regenerated from, row.json last.</summary>
    public IReadOnlyList<string> ResultFiles => [Curve, Evals, Row];
}
