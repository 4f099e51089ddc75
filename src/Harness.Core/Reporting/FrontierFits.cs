using System.Text.Json;

namespace Harness.Reporting;

/// <summary>A fitted baseline frontier y(C) to draw: its formula's name and a function of compute.</summary>
public sealed record Frontier(string Metric, string Form, string Description, Func<double, double> Predict);

/// <summary>
/// Reads the estimator's fits.json tolerantly.  The estimator writes <c>{"metrics": [{"metric": ..., "frontier_form":
/// ..., "frontier": {"E": {"value": ..., "ci95": [..]}, ...}}]}</c>; also accepted: <c>{"frontiers": {metric: fit}}</c>,
/// <c>{"fits": [...]}</c> or a bare <c>{metric: fit}</c>, with parameters as plain numbers, inline or under
/// <c>params</c>.  The form is recognised by the parameter names:
/// power law <c>E, A, alpha</c> (y = E + A·C^−α), sigmoid <c>floor, ceiling, slope, midpoint</c>
/// (y = F + (U − F)·σ(k(ln C − x₀))), Chinchilla <c>E, A, B, alpha, beta</c> (drawn as its compute-optimal envelope with
/// C = 6ND).  Anything unreadable is skipped and reported in <see cref="Problems"/>, never thrown.
/// </summary>
public sealed class FrontierFits
{
    readonly Dictionary<string, Frontier> byMetric = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Problems => problems;
    readonly List<string> problems = [];
    public bool Exists { get; private init; }
    public IReadOnlyCollection<Frontier> All => byMetric.Values;

    public Frontier? For(string metric) => byMetric.GetValueOrDefault(MetricNames.Normalise(metric));

    public static FrontierFits Load(string resultsDir)
    {
        var path = Path.Combine(resultsDir, Results.ResultSchema.FitsFile);
        if (!File.Exists(path)) return new FrontierFits();
        var fits = new FrontierFits { Exists = true };
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            fits.ReadRoot(doc.RootElement);
        }
        catch (JsonException e)
        {
            fits.problems.Add($"{path}: not valid JSON ({e.Message.Split('\n')[0]})");
        }
        return fits;
    }

    void ReadRoot(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            foreach (var container in new[] { "frontiers", "metrics", "fits" })
                if (root.TryGetProperty(container, out var inner)) { ReadContainer(inner); return; }
            ReadContainer(root);
        }
        else ReadContainer(root);
    }

    void ReadContainer(JsonElement container)
    {
        if (container.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in container.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Object) Add(p.Name, p.Value);
        }
        else if (container.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in container.EnumerateArray())
                if (item.ValueKind == JsonValueKind.Object && Str(item, "metric") is { } metric)
                {
                    // Several fits per metric (e.g. one per accounting): keep the baseline's, i.e. the first.
                    if (!byMetric.ContainsKey(MetricNames.Normalise(metric))) Add(metric, item);
                }
        }
    }

    void Add(string metric, JsonElement fit)
    {
        JsonElement? Sub(string name) => TryGet(fit, name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;
        if (TryGet(fit, "frontier", out var f0) && f0.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"fits.json: metric '{metric}': the estimator has no frontier fit" + (Str(fit, "note") is { } note ? $" ({note})" : ""));
            return;
        }
        var parameters = Sub("frontier") ?? Sub("params") ?? Sub("parameters") ?? fit;
        var form = (Str(fit, "frontier_form") ?? Str(fit, "form") ?? Str(fit, "law") ?? "").Trim();
        double? N(params string[] names) => names.Select(n => Num(parameters, n)).FirstOrDefault(v => v is not null);
        // The parameters decide the form; the form text (a name or the formula) only labels it.
        Frontier? frontier = null;
        if (N("floor") is { } f && N("ceiling") is { } u && N("slope") is { } k && N("midpoint", "midpoint_ln_compute", "x0") is { } x0)
            frontier = new Frontier(metric, "sigmoid", $"sigmoid: y = {f:G3} + ({u:G3} − {f:G3})·σ({k:G3}(ln C − {x0:G4}))",
                c => f + (u - f) / (1 + Math.Exp(-k * (Math.Log(c) - x0))));
        else if (N("E") is { } ce && N("A") is { } ca && N("B") is { } cb && N("alpha") is { } cal && N("beta") is { } cbe)
            frontier = new Frontier(metric, "chinchilla", $"Chinchilla envelope: L = {ce:G3} + {ca:G3}/N^{cal:G3} + {cb:G3}/D^{cbe:G3}, C = 6ND",
                c => ChinchillaEnvelope(c, ce, ca, cb, cal, cbe));
        else if (N("E") is { } e && N("A") is { } a && N("alpha") is { } alpha)
            frontier = new Frontier(metric, "power_law", $"power law: y = {e:G3} + {a:G3}·C^−{alpha:G3}", c => e + a * Math.Pow(c, -alpha));
        if (frontier is null)
            problems.Add($"fits.json: metric '{metric}': frontier '{form}' with parameters [{string.Join(", ", parameters.EnumerateObject().Select(x => x.Name))}] is not one this report can draw");
        else
            byMetric[MetricNames.Normalise(metric)] = frontier;
    }

    /// <summary>min over N of E + A/N^α + B/(C/6N)^β, searched on a log grid of N (the envelope is flat near its minimum).</summary>
    static double ChinchillaEnvelope(double c, double e, double a, double b, double alpha, double beta)
    {
        var best = double.PositiveInfinity;
        for (var logN = 3.0; logN <= Math.Log10(c / 6) - 0.5; logN += 0.02)
        {
            var n = Math.Pow(10, logN);
            best = Math.Min(best, e + a / Math.Pow(n, alpha) + b / Math.Pow(c / (6 * n), beta));
        }
        return best;
    }

    static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && TryGet(e, name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A number, or the <c>value</c> of an estimate object (<c>{"value": 1.8, "ci95": [..]}</c>).</summary>
    static double? Num(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !TryGet(e, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("value", out var inner)) v = inner;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    }

    /// <summary>Exact name first, then case-insensitive, then Greek-letter spellings (α → alpha).</summary>
    static bool TryGet(JsonElement e, string name, out JsonElement value)
    {
        if (e.TryGetProperty(name, out value)) return true;
        foreach (var p in e.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) ||
                (name == "alpha" && p.Name == "α") || (name == "beta" && p.Name == "β"))
            {
                value = p.Value;
                return true;
            }
        return false;
    }
}
