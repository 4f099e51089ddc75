using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.IO;

namespace Harness.Results;

/// <summary>
/// A results file in lm-evaluation-harness's shape (<c>lm_eval/evaluator.py</c>, <c>simple_evaluate</c>'s return value as
/// <c>--output_path</c> writes it): <c>results</c> (task → "metric,filter" → value, with "metric_stderr,filter"
/// beside each; the filter is "none", and a stderr lm-eval cannot give is "N/A"), <c>versions</c> (task → version),
/// <c>n-shot</c> (task → few-shot count), <c>higher_is_better</c> and <c>config</c> (model and run settings); where
/// groups were scored (MMLU), <c>groups</c> (a group's entry again, as lm-eval repeats it) and <c>group_subtasks</c>.
/// The harness writes <c>results.json</c> next to evals.csv; <c>compare</c> reads files of this shape from either tool.
/// </summary>
public sealed record LmEvalResults
{
    public const string FileName = RunFolderLayout.LmEvalResultsFile;
    const string Filter = "none";

    /// <summary>Task → metric → value (metric names without the filter suffix; NaN where the file says "N/A").</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Results { get; init; }
    /// <summary>Task → metric → standard error (NaN for "N/A").</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> StdErrs { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public required IReadOnlyDictionary<string, int> NShot { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, bool>> HigherIsBetter { get; init; }
    /// <summary>Free-form run settings (model, model_args, limit, …) as written.</summary>
    public required IReadOnlyDictionary<string, string> Config { get; init; }
    /// <summary>Group → its subtasks (lm-eval's <c>group_subtasks</c>); empty when no group was scored.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GroupSubtasks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>From evals.csv rows of one model: one entry per task and metric (the first row of each).</summary>
    public static LmEvalResults FromRows(IReadOnlyList<EvalRow> rows, IReadOnlyDictionary<string, int> nShot, IReadOnlyDictionary<string, string> config)
    {
        var byTask = rows.GroupBy(r => r.Task).ToList();
        return new LmEvalResults
        {
            Results = byTask.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, double>)g.GroupBy(r => r.Metric).ToDictionary(m => m.Key, m => m.First().Value)),
            StdErrs = byTask.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, double>)g.GroupBy(r => r.Metric).ToDictionary(m => m.Key, m => m.First().StdErr)),
            Versions = byTask.ToDictionary(g => g.Key, g => g.First().TaskVersion.ToString(CultureInfo.InvariantCulture)),
            NShot = byTask.ToDictionary(g => g.Key, g => nShot.TryGetValue(g.Key, out var n) ? n : 0),
            HigherIsBetter = byTask.ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, bool>)g.GroupBy(r => r.Metric).ToDictionary(m => m.Key, m => m.First().HigherIsBetter)),
            Config = config,
        };
    }

    static JsonNode Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create("N/A");

    public string ToJson()
    {
        var results = new JsonObject();
        foreach (var (task, metrics) in Results.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var o = new JsonObject { ["alias"] = task };
            foreach (var (metric, value) in metrics)
            {
                o[$"{metric},{Filter}"] = Number(value);
                o[$"{metric}_stderr,{Filter}"] = Number(StdErrs[task].TryGetValue(metric, out var se) ? se : double.NaN);
            }
            results[task] = o;
        }
        var root = new JsonObject
        {
            ["results"] = results,
            ["versions"] = new JsonObject(Versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value)))),
            ["n-shot"] = new JsonObject(NShot.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value)))),
            ["higher_is_better"] = new JsonObject(HigherIsBetter.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => KeyValuePair.Create(v.Key,
                (JsonNode?)new JsonObject(v.Value.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))))))),
            ["config"] = new JsonObject(Config.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)JsonValue.Create(c.Value)))),
        };
        if (GroupSubtasks.Count > 0)
        {
            root["groups"] = new JsonObject(GroupSubtasks.Keys.Where(g => results.ContainsKey(g)).Order(StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g, (JsonNode?)results[g]!.DeepClone())));
            root["group_subtasks"] = new JsonObject(GroupSubtasks.OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)new JsonArray(g.Value.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()))));
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>
    /// Reads a results file written by lm-eval or by the harness.  Keys "metric,filter" keep the metric (the filter
    /// "none" is dropped, any other is kept as "metric,filter"); "alias" and "N/A" entries are skipped or read as NaN.
    /// </summary>
    public static LmEvalResults Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: no such results file.");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UserInputException($"{path}: not valid JSON ({e.Message})."); }
        if (root?["results"] is not JsonObject results)
            throw new UserInputException($"{path}: no \"results\" object; is this an lm-evaluation-harness results file (lm_eval --output_path)?");
        var values = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        var errors = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        foreach (var (task, node) in results)
        {
            if (node is not JsonObject metrics) continue;
            var v = new Dictionary<string, double>();
            var se = new Dictionary<string, double>();
            foreach (var (key, value) in metrics)
            {
                if (key == "alias" || value is not JsonValue jv) continue;
                double x = jv.TryGetValue<double>(out var d) ? d : double.NaN;
                if (!jv.TryGetValue<double>(out _) && !(jv.TryGetValue<string>(out var str) && str == "N/A")) continue;
                var (metric, filter) = key.Contains(',') ? (key[..key.IndexOf(',')], key[(key.IndexOf(',') + 1)..]) : (key, Filter);
                var name = filter == Filter ? metric : $"{metric},{filter}";
                if (metric.EndsWith("_stderr", StringComparison.Ordinal)) se[name.Replace("_stderr", "", StringComparison.Ordinal)] = x;
                else v[name] = x;
            }
            values[task] = v;
            errors[task] = se;
        }
        static Dictionary<string, T> Map<T>(JsonNode? node, Func<JsonNode, T> read) =>
            node is JsonObject o ? o.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => read(p.Value!)) : [];
        return new LmEvalResults
        {
            Results = values,
            StdErrs = errors,
            Versions = Map(root["versions"], n => n is JsonValue jv && jv.TryGetValue<double>(out var d) ? d.ToString(CultureInfo.InvariantCulture) : n.ToString()),
            NShot = Map(root["n-shot"], n => n is JsonValue jv && jv.TryGetValue<int>(out var i) ? i : 0),
            HigherIsBetter = Map(root["higher_is_better"], n => (IReadOnlyDictionary<string, bool>)Map(n, b => b is JsonValue jb && jb.TryGetValue<bool>(out var x) && x)),
            Config = Map(root["config"], n => n is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : n.ToJsonString()),
            GroupSubtasks = Map(root["group_subtasks"], n => (IReadOnlyList<string>)(n is JsonArray a ? a.Select(t => t?.ToString() ?? "").ToArray() : [])),
        };
    }
}
