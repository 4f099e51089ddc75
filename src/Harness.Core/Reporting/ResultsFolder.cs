using Harness.Results;

namespace Harness.Reporting;

/// <summary>
/// Everything a report or comparison reads from one results folder (results/&lt;experiment&gt;/&lt;run-id&gt;/).  Tables that
/// are absent load empty and are listed in <see cref="Missing"/>; a folder with neither runs.csv nor curves.csv is
/// not a results folder and is refused.
/// </summary>
public sealed class ResultsFolder
{
    public required string Directory { get; init; }
    public required RunManifest Manifest { get; init; }
    public required IReadOnlyList<RunRow> Runs { get; init; }
    public required IReadOnlyList<CurveRow> Curves { get; init; }
    public required IReadOnlyList<EvalRow> Evals { get; init; }
    public required IReadOnlyList<MultiplierRow> Multipliers { get; init; }
    public required FrontierFits Fits { get; init; }
    /// <summary>The estimator's summary.json (null when absent).</summary>
    public EstimateSummary? Summary { get; init; }
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>A short name for tables: the folder name (the run id).</summary>
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));

    public static ResultsFolder Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new UserInputException($"{directory}: no such results folder. Pass results/<experiment>/<run-id>/ as written by `harness run`.");
        string P(string file) => Path.Combine(directory, file);
        if (!File.Exists(P(ResultSchema.RunsFile)) && !File.Exists(P(ResultSchema.CurvesFile)))
            throw new UserInputException($"{directory}: has neither {ResultSchema.RunsFile} nor {ResultSchema.CurvesFile}; it is not a results folder " +
                                         "(pass results/<experiment>/<run-id>/, the folder `harness run` wrote).");
        var missing = new[] { ResultSchema.ManifestFile, ResultSchema.RunsFile, ResultSchema.CurvesFile, ResultSchema.EvalsFile, ResultSchema.MultipliersFile, ResultSchema.SummaryFile, ResultSchema.FitsFile }
            .Where(f => !File.Exists(P(f))).ToList();
        List<T> Table<T>(string file) where T : class => File.Exists(P(file)) ? ResultTables.ReadAll<T>(P(file)) : [];
        var runs = Table<RunRow>(ResultSchema.RunsFile);
        var multipliers = Table<MultiplierRow>(ResultSchema.MultipliersFile);
        return new ResultsFolder
        {
            Directory = directory,
            Manifest = RunManifest.Load(directory),
            Runs = runs,
            Curves = Table<CurveRow>(ResultSchema.CurvesFile),
            Evals = Table<EvalRow>(ResultSchema.EvalsFile),
            Multipliers = multipliers,
            Fits = FrontierFits.Load(directory),
            Summary = ResultJson.Read<EstimateSummary>(P(ResultSchema.SummaryFile)),
            Missing = missing,
        };
    }

    /// <summary>Units that did not finish (status other than ok).</summary>
    public IEnumerable<RunRow> FailedUnits => Runs.Where(r => !string.Equals(r.Status, "ok", StringComparison.OrdinalIgnoreCase));

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
