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
        var missing = new[] { ResultSchema.ManifestFile, ResultSchema.RunsFile, ResultSchema.CurvesFile, ResultSchema.EvalsFile, ResultSchema.MultipliersFile, ResultSchema.FitsFile }
            .Where(f => !File.Exists(P(f))).ToList();
        List<T> Table<T>(string file) where T : class => File.Exists(P(file)) ? ResultTables.ReadAll<T>(P(file)) : [];
        var runs = Table<RunRow>(ResultSchema.RunsFile);
        // The estimator names a point row's unit but not its seed: take the seed from runs.csv, so rows of different
        // seeds stay apart when runs are matched by name.
        var seeds = runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First().Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var multipliers = MultiplierTable.Read(P(ResultSchema.MultipliersFile))
            .Select(m => m.Seed.Length == 0 && seeds.TryGetValue(m.UnitKey, out var seed) ? m with { Seed = seed } : m).ToList();
        return new ResultsFolder
        {
            Directory = directory,
            Manifest = RunManifest.Load(directory),
            Runs = runs,
            Curves = Table<CurveRow>(ResultSchema.CurvesFile),
            Evals = Table<EvalRow>(ResultSchema.EvalsFile),
            Multipliers = multipliers,
            Fits = FrontierFits.Load(directory),
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
        foreach (var m in Multipliers.Where(m => m.Params > 0 && !m.IsAggregate)) sizes.TryAdd(m.Student, m.Params);
        return sizes;
    }
}
