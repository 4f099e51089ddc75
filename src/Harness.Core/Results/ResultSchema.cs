namespace Harness.Results;

/// <summary>
/// Result-file schema.  Bump <see cref="ResultSchema.Version"/> when a column changes meaning; readers refuse files
/// whose version they do not know (see <see cref="ResultTables"/>).  Column meanings and units are listed in README
/// "Result files".  All FLOP counts are analytic (see Modeling/FlopCounter), in floating-point operations.
/// </summary>
public static class ResultSchema
{
    public const int Version = 1;
    /// <summary>Version of multipliers.csv, summary.json and fits.json (2: estimands, censoring, placebo; issue 12; 3: slope rows and columns, issue 23).</summary>
    public const int MultipliersVersion = 3;
    /// <summary>Version of summary.json (4: the <c>claims</c> list, issue 23; multipliers.csv and fits.json stay at <see cref="MultipliersVersion"/>).</summary>
    public const int SummaryVersion = 4;
    public const string RunsFile = "runs.csv";
    public const string CurvesFile = "curves.csv";
    public const string EvalsFile = "evals.csv";
    public const string ManifestFile = "manifest.json";
    public const string MultipliersFile = "multipliers.csv";
    /// <summary>The report a finished run ends with (written by Reporting).</summary>
    public const string ReportFile = "report.html";
    public const string FitsFile = "fits.json";
    /// <summary>Per unit (units/KEY/train_log.csv): the training objective at every logged step.</summary>
    public const string TrainLogFile = "train_log.csv";
    public const string SummaryFile = "summary.json";
    /// <summary>The teacher's own benchmark rows (<see cref="EvalRow"/> list, JSON), merged into evals.csv.</summary>
    public const string TeacherEvalsFile = "teacher-evals.json";
    /// <summary>Per unit (units/KEY/): its <see cref="RunRow"/>, <see cref="CurveRow"/> list and <see cref="EvalRow"/> list
    /// as JSON (same keys as the CSV columns), from which the CSVs are regenerated.</summary>
    public const string UnitRowFile = "row.json";
    public const string UnitCurveFile = "curve.json";
    public const string UnitEvalsFile = "evals.json";

    /// <summary>The schema version a row type is written with.</summary>
    public static int VersionOf(Type rowType) => rowType == typeof(MultiplierRow) ? MultipliersVersion : Version;

    /// <summary>The schema version a JSON result document is written with (summary.json: <see cref="SummaryVersion"/>; fits.json: <see cref="MultipliersVersion"/>).</summary>
    public static int JsonVersionOf(Type documentType) => documentType == typeof(EstimateSummary) ? SummaryVersion : MultipliersVersion;

    /// <summary>Method name of the from-scratch baseline.</summary>
    public const string ScratchMethod = "scratch";
    /// <summary>Pseudo unit key under which the teacher's own evaluations are recorded.</summary>
    public const string TeacherUnitKey = "teacher";
}
