using Harness.Results;

namespace Harness.Reporting;

/// <summary>A fitted frontier y(C) of one arm to draw: its form, a description and a function of student compute.</summary>
public sealed record Frontier(string Metric, string Group, string Form, string Description, Func<double, double> Predict);

/// <summary>
/// The estimator's fits.json (<see cref="FitsDocument"/>), as frontiers to draw per metric and arm.  Forms:
/// chinchilla (drawn as its compute frontier over the arm's size range: y(C) = min over N of L(N, C / c(N)), c(N) the
/// measured FLOPs per token interpolated in ln N), power_law (y = E + A·C^−α) and sigmoid
/// (y = F + (U − F)·σ(k(ln C − x₀))).  A file this build cannot read is reported in <see cref="Problems"/>, never thrown.
/// </summary>
public sealed class FrontierFits
{
    readonly Dictionary<string, List<Frontier>> byMetric = new(StringComparer.Ordinal);
    readonly List<string> problems = [];

    public IReadOnlyList<string> Problems => problems;
    public bool Exists { get; private init; }
    public IReadOnlyCollection<Frontier> All => byMetric.Values.SelectMany(v => v).ToList();

    /// <summary>The baseline's (first arm's) frontier of a metric.</summary>
    public Frontier? For(string metric) => byMetric.GetValueOrDefault(MetricNames.Normalise(metric))?.FirstOrDefault();

    /// <summary>Every arm's frontier of a metric, baseline first.</summary>
    public IReadOnlyList<Frontier> Arms(string metric) => byMetric.GetValueOrDefault(MetricNames.Normalise(metric)) ?? [];

    public static FrontierFits Load(string resultsDir)
    {
        var path = Path.Combine(resultsDir, ResultSchema.FitsFile);
        if (!File.Exists(path)) return new FrontierFits();
        var fits = new FrontierFits { Exists = true };
        FitsDocument? doc;
        try { doc = ResultJson.Read<FitsDocument>(path); }
        catch (UserInputException e)
        {
            fits.problems.Add(e.Message);
            return fits;
        }
        foreach (var metric in doc?.Metrics ?? [])
        {
            if (metric.Note.Length > 0) fits.problems.Add($"fits.json: metric '{metric.Metric}': {metric.Note}");
            foreach (var arm in metric.Arms)
            {
                if (arm.Law is null)
                {
                    fits.problems.Add($"fits.json: metric '{metric.Metric}', arm '{arm.Group}': the estimator has no frontier fit" + (arm.Note.Length > 0 ? $" ({arm.Note})" : ""));
                    continue;
                }
                var frontier = Make(metric.Metric, arm);
                if (frontier is null)
                    fits.problems.Add($"fits.json: metric '{metric.Metric}', arm '{arm.Group}': form '{arm.Law.Form}' is not one this report can draw");
                else
                {
                    var key = MetricNames.Normalise(metric.Metric);
                    if (!fits.byMetric.TryGetValue(key, out var list)) fits.byMetric[key] = list = [];
                    list.Add(frontier);
                }
            }
        }
        return fits;
    }

    static Frontier? Make(string metric, ArmFit arm)
    {
        var p = arm.Law!.Parameters;
        double P(string name) => p.TryGetValue(name, out var v) ? v : double.NaN;
        switch (arm.Law.Form)
        {
            case "chinchilla" when arm.Sizes.Count > 0:
            {
                double e = P("E"), a = P("A"), b = P("B"), alpha = P("alpha"), beta = P("beta");
                var sizes = arm.Sizes.OrderBy(s => s.Params).ToList();
                return new Frontier(metric, arm.Group, "chinchilla",
                    $"{arm.Group}: L = {e:G3} + {a:G3}/N^{alpha:G3} + {b:G3}/D^{beta:G3}, frontier over N in [{sizes[0].Params:G3}, {sizes[^1].Params:G3}]",
                    c => Envelope(c, sizes, e, a, b, alpha, beta));
            }
            case "power_law":
            {
                double e = P("E"), a = P("A"), alpha = P("alpha");
                return new Frontier(metric, arm.Group, "power_law", $"{arm.Group}: y = {e:G3} + {a:G3}·C^−{alpha:G3}", c => e + a * Math.Pow(c, -alpha));
            }
            case "sigmoid":
            {
                double f = P("floor"), u = P("ceiling"), k = P("slope"), x0 = P("midpoint_ln_compute");
                return new Frontier(metric, arm.Group, "sigmoid", $"{arm.Group}: y = {f:G3} + ({u:G3} − {f:G3})·σ({k:G3}(ln C − {x0:G4}))",
                    c => f + (u - f) / (1 + Math.Exp(-k * (Math.Log(c) - x0))));
            }
        }
        return null;
    }

    /// <summary>min over 64 sizes (even in ln N across the arm's sizes) of L(N, C / c(N)).</summary>
    static double Envelope(double c, List<SizeCost> sizes, double e, double a, double b, double alpha, double beta)
    {
        var lo = Math.Log(sizes[0].Params);
        var hi = Math.Log(sizes[^1].Params);
        var steps = sizes.Count == 1 ? 1 : 64;
        var best = double.PositiveInfinity;
        for (var k = 0; k < steps; k++)
        {
            var n = Math.Exp(steps == 1 ? lo : lo + (hi - lo) * k / (steps - 1));
            var d = c / FlopsPerToken(sizes, n);
            best = Math.Min(best, e + a / Math.Pow(n, alpha) + b / Math.Pow(d, beta));
        }
        return best;
    }

    static double FlopsPerToken(List<SizeCost> sizes, double n)
    {
        if (sizes.Count == 1 || n <= sizes[0].Params) return sizes[0].FlopsPerToken;
        if (n >= sizes[^1].Params) return sizes[^1].FlopsPerToken;
        var i = 0;
        while (sizes[i + 1].Params < n) i++;
        var t = (Math.Log(n) - Math.Log(sizes[i].Params)) / (Math.Log(sizes[i + 1].Params) - Math.Log(sizes[i].Params));
        return Math.Exp(Math.Log(sizes[i].FlopsPerToken) + t * (Math.Log(sizes[i + 1].FlopsPerToken) - Math.Log(sizes[i].FlopsPerToken)));
    }
}
