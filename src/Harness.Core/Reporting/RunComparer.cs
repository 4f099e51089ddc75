using Harness.Results;
using Harness.Estimation;

namespace Harness.Reporting;

/// <summary>
/// Compares results folders: first whether their numbers are comparable at all (manifest differences, classified by
/// <see cref="Classify"/>), then final metrics per unit key found in every run, multipliers with CIs, deltas from the
/// first run, and the units only some runs have.
/// </summary>
public static class RunComparer
{
    /// <summary>Bookkeeping that differs on every run and says nothing about comparability.</summary>
    static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "started_utc", "finished_utc", "config_hash", "schema_version" };

    public static ComparisonResult Compare(IReadOnlyList<string> runDirs)
    {
        if (runDirs.Count < 2)
            throw new UserInputException($"compare needs at least two results folders; got {runDirs.Count}.");
        return Compare(runDirs.Select(d => ResultsFolder.Load(d)).ToList());
    }

    public static ComparisonResult Compare(IReadOnlyList<ResultsFolder> folders)
    {
        // Folder names are run ids; when two coincide (same id under different experiments) use parent/name instead.
        var names = folders.Select(f => f.Name).ToList();
        if (names.Distinct().Count() < names.Count)
            names = folders.Select(f => Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(f.Directory).TrimEnd('/'))!) ?? "/",
                                                            Path.GetFullPath(f.Directory).TrimEnd('/'))).ToList();
        var runs = folders.Select((f, i) => new ComparedRun(names[i], f.Directory, f.Manifest?.ExperimentName, f.Manifest?.ConfigHash, f.Manifest?.GitCommit,
                                                        f.Manifest?.Device, f.Runs.Count, f.FailedUnits.Count(), f.Manifest is not null)).ToList();
        return new ComparisonResult(runs, Differences(folders), Metrics(folders), Multipliers(folders), Unmatched(folders));
    }

    // ---- comparability -------------------------------------------------------------------------------------------------

    static List<ConfigDifference> Differences(IReadOnlyList<ResultsFolder> folders)
    {
        var differences = new List<ConfigDifference>();
        var missing = folders.Where(f => f.Manifest is null).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            differences.Add(new ConfigDifference("manifest.json", "provenance", DifferenceSeverity.Warning,
                folders.Select(f => (string?)(f.Manifest is not null ? "present" : "missing")).ToList(),
                $"no manifest in {string.Join(", ", missing)}: comparability cannot be checked"));
        if (missing.Count > 0) return differences;
        // The typed manifests as written (RunManifestFile.Flatten), one leaf per field, so every field is diffed in one place.
        var leaves = folders.Select(f => RunManifestFile.Flatten(f.Manifest!)).ToList();
        foreach (var field in leaves.SelectMany(l => l.Keys).Distinct().Where(k => !Ignored.Contains(k)).Order(StringComparer.Ordinal))
        {
            var values = leaves.Select(l => l.TryGetValue(field, out var v) ? v : null).ToList();
            if (values.Distinct().Count() == 1) continue;
            var (category, severity, why) = Classify(field);
            differences.Add(new ConfigDifference(field, category, severity, values, why));
        }
        return differences.OrderByDescending(d => d.Severity).ThenBy(d => d.Field, StringComparer.Ordinal).ToList();
    }

    /// <summary>What a manifest field is about and whether a difference in it breaks comparability.</summary>
    public static (string Category, DifferenceSeverity Severity, string Why) Classify(string field)
    {
        bool Under(string prefix) => field == prefix || field.StartsWith(prefix + ".", StringComparison.Ordinal) || field.StartsWith(prefix + "[", StringComparison.Ordinal);
        if (Under("config.data.corpus") || Under("corpus_hash"))
            return ("corpus", DifferenceSeverity.Breaking, "different training/validation text: losses and scores are on different data");
        if (Under("config.data.tokenizer") || Under("tokenizer_hash"))
            return ("tokenizer", DifferenceSeverity.Breaking, "different tokenizer: per-token losses and token budgets mean different things (compare val_bpb only)");
        if (Under("config.data.mix"))
            return ("data mix", DifferenceSeverity.Breaking, "different data mix: the models saw different distributions");
        if (Under("config.data.split"))
            return ("data split", DifferenceSeverity.Breaking, "different validation split: losses are measured on different text");
        if (Under("config.data"))
            return ("data", DifferenceSeverity.Breaking, "different data settings");
        if (Under("flop_formula"))
            return ("FLOP formula", DifferenceSeverity.Breaking, "compute is counted differently: compute axes and multipliers are not comparable");
        if (Under("task_versions"))
            return ("task versions", DifferenceSeverity.Breaking, "a benchmark changed version: its scores are not comparable");
        if (Under("config.evaluation"))
            return ("evaluation", DifferenceSeverity.Breaking, "evaluation settings differ: scores may be measured differently");
        if (Under("config.seeds"))
            return ("seeds", DifferenceSeverity.Warning, "different seeds: differences within seed noise are not effects");
        if (Under("device") || Under("threads"))
            return ("device", DifferenceSeverity.Warning, "different hardware: results differ in floating-point detail; timings are not comparable");
        if (Under("versions"))
            return ("software versions", DifferenceSeverity.Warning, "different library or harness versions");
        if (Under("git_commit"))
            return ("code", DifferenceSeverity.Warning, "different harness commit");
        if (Under("teacher"))
            return ("teacher", DifferenceSeverity.Warning, "different teacher: distilled students and teacher-inclusive accounting differ by design");
        if (Under("config.kd") || Under("config.methods"))
            return ("treatment", DifferenceSeverity.Info, "distillation settings differ (the treatment under comparison)");
        if (Under("config.students") || Under("config.budgets"))
            return ("design", DifferenceSeverity.Info, "the sweep's sizes or budgets differ; only shared units are compared");
        return ("other", DifferenceSeverity.Info, "other setting");
    }

    // ---- numbers -------------------------------------------------------------------------------------------------------

    static List<MetricComparison> Metrics(IReadOnlyList<ResultsFolder> folders)
    {
        var units = folders.Select(f => f.Runs.Where(r => r.Status == RunRowStatus.Ok)
                                              .GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First())).ToList();
        var finals = folders.Select(f => FinalEvals(f.Evals)).ToList();
        var result = new List<MetricComparison>();
        var shared = units[0].Keys.Where(k => units.All(u => u.ContainsKey(k)));
        foreach (var key in shared.OrderBy(k => units[0][k].Method, StringComparer.Ordinal).ThenBy(k => units[0][k].ParamsNonEmbedding)
                                  .ThenBy(k => units[0][k].Tokens).ThenBy(k => units[0][k].Seed).ThenBy(k => k, StringComparer.Ordinal))
        {
            var r0 = units[0][key];
            MetricComparison Make(string metric, IReadOnlyList<double?> values, IReadOnlyList<double?> stderrs) =>
                new(key, r0.Method, r0.Student, r0.Budget, r0.Seed, metric, values, stderrs, Deltas(values), Overlap(values, stderrs));
            result.Add(Make(ResultMetrics.ValLoss, units.Select(u => Finite(u[key].ValLoss)).ToList(), units.Select(_ => (double?)null).ToList()));
            result.Add(Make(ResultMetrics.ValBpb, units.Select(u => Finite(u[key].ValBitsPerByte)).ToList(), units.Select(_ => (double?)null).ToList()));
            var metrics = finals.SelectMany(f => f.Keys).Where(k => k.Unit == key).Select(k => k.Metric).Distinct().Order(StringComparer.Ordinal);
            foreach (var metric in metrics)
            {
                var rows = finals.Select(f => f.GetValueOrDefault((key, metric))).ToList();
                result.Add(Make(metric, rows.Select(r => r is null ? null : Finite(r.Value)).ToList(), rows.Select(r => r is null ? null : Finite(r.StdErr)).ToList()));
            }
        }
        return result;
    }

    /// <summary>Final evaluations per (unit, task/metric): the full-set score when there is one, else the subset score.</summary>
    static Dictionary<(string Unit, string Metric), EvalRow> FinalEvals(IEnumerable<EvalRow> evals) =>
        evals.Where(e => e.IsFinal && e.UnitKey != ResultSchema.TeacherUnitKey)
             .GroupBy(e => (e.UnitKey, ResultMetrics.ForTask(e.Task, e.Metric)))
             .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Subset ? 1 : 0).First());

    static List<MultiplierComparison> Multipliers(IReadOnlyList<ResultsFolder> folders)
    {
        // Slope and crossover rows (issue 23) carry no M; compare matches multipliers only.
        var byKey = folders.Select(f => f.Multipliers.Where(m => m.Kind is not (MultiplierKind.Slope or MultiplierKind.Crossover)).GroupBy(m => m.MatchKey).ToDictionary(g => g.Key, g => g.First())).ToList();
        var all = folders.SelectMany(f => f.Multipliers).Where(m => m.Kind is not (MultiplierKind.Slope or MultiplierKind.Crossover)).GroupBy(m => m.MatchKey).Select(g => g.First())
                         .OrderBy(m => ResultMetrics.Normalise(m.Metric), StringComparer.Ordinal).ThenBy(m => m.Treatment, StringComparer.Ordinal)
                         .ThenBy(m => m.Estimand.OnDisk(), StringComparer.Ordinal).ThenBy(m => m.Kind.OnDisk(), StringComparer.Ordinal)
                         .ThenBy(m => m.Student == "*" ? 1 : 0).ThenBy(m => m.Params ?? double.MaxValue).ThenBy(m => m.Student, StringComparer.Ordinal)
                         .ThenBy(m => m.Budget, StringComparer.Ordinal).ThenBy(m => m.Seed, StringComparer.Ordinal)
                         .ThenBy(m => AccountingScenario.Rank(m.Accounting)).ThenBy(m => m.Accounting, StringComparer.Ordinal);
        var result = new List<MultiplierComparison>();
        foreach (var first in all)
        {
            var values = byKey.Select(d => d.TryGetValue(first.MatchKey, out var m)
                ? new MultiplierValue(m.M ?? double.NaN, m.MCi95Low ?? double.NaN, m.MCi95High ?? double.NaN, m.Extrapolated, m.Bound, m.Status) : null).ToList();
            var multipliers = values.Select(v => v is null ? null : Finite(v.Multiplier)).ToList();
            bool? overlap = values.All(v => v is not null && !double.IsNaN(v.Ci95Low) && !double.IsNaN(v.Ci95High))
                ? values.Max(v => v!.Ci95Low) <= values.Min(v => v!.Ci95High) : null;
            result.Add(new MultiplierComparison(first.Kind, first.Estimand, first.Treatment, ResultMetrics.Normalise(first.Metric), first.Student, first.Budget, first.Seed, first.Accounting,
                                                values, Deltas(multipliers), overlap));
        }
        return result;
    }

    static List<UnitPresence> Unmatched(IReadOnlyList<ResultsFolder> folders)
    {
        var keys = folders.Select(f => f.Runs.Select(r => r.UnitKey).ToHashSet()).ToList();
        return folders.SelectMany(f => f.Runs).GroupBy(r => r.UnitKey).Select(g => g.First())
                      .Where(r => keys.Any(k => !k.Contains(r.UnitKey)))
                      .OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.ParamsNonEmbedding).ThenBy(r => r.Student, StringComparer.Ordinal)
                      .ThenBy(r => r.Budget, StringComparer.Ordinal).ThenBy(r => r.Seed)
                      .Select(r => new UnitPresence(r.UnitKey, r.Method, r.Student, r.Budget, r.Seed, keys.Select(k => k.Contains(r.UnitKey)).ToList()))
                      .ToList();
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>value_i − value_0 for every run (0 for the first), null where either is missing.</summary>
    static List<double?> Deltas(IReadOnlyList<double?> values) =>
        values.Select(v => v is { } x && values[0] is { } a ? x - a : (double?)null).ToList();

    /// <summary>Whether the runs' 95% normal intervals (value ± 1.96 s.e.) share a point; null without standard errors.</summary>
    static bool? Overlap(IReadOnlyList<double?> values, IReadOnlyList<double?> stderrs)
    {
        if (values.Any(v => v is null) || stderrs.Any(s => s is null)) return null;
        var lows = values.Select((v, i) => v!.Value - 1.96 * stderrs[i]!.Value);
        var highs = values.Select((v, i) => v!.Value + 1.96 * stderrs[i]!.Value);
        return lows.Max() <= highs.Min();
    }
}
