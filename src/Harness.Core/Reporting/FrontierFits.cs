using System.Runtime.CompilerServices;
using Harness.Estimation;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>
/// A fitted frontier y(C) of one arm to draw: its form, a description and a function of student compute; the student
/// compute its runs cover (<see cref="MinCompute"/>..<see cref="MaxCompute"/>, NaN when unknown: drawn solid only there,
/// issue 23) and whether a parameter of its law sits on a bound (fits.json <c>at_bound</c>).
/// </summary>
public sealed record Frontier(string Metric, string Group, string Form, string Description, Func<double, double> Predict,
                              double MinCompute = double.NaN, double MaxCompute = double.NaN, bool AtBound = false);

/// <summary>
/// The estimator's fits.json (<see cref="FitsDocument"/>), as frontiers to draw per metric and arm, evaluated by the
/// estimator's own law types (<see cref="FittedLaws.Frontier"/>).  A file this build cannot read, or an arm without a
/// drawable fit, is reported in <see cref="Problems"/>, never thrown.
/// </summary>
public sealed class FrontierFits
{
    readonly Dictionary<string, List<Frontier>> byMetric = new(StringComparer.Ordinal);
    readonly List<string> problems = [];

    static readonly ConditionalWeakTable<ResultsFolder, FrontierFits> cache = new();

    public IReadOnlyList<string> Problems => problems;
    public bool Exists { get; private init; }
    public IReadOnlyCollection<Frontier> All => byMetric.Values.SelectMany(v => v).ToList();

    /// <summary>The baseline's (first arm's) frontier of a metric.</summary>
    public Frontier? For(string metric) => byMetric.GetValueOrDefault(ResultMetrics.Normalise(metric))?.FirstOrDefault();

    /// <summary>Every arm's frontier of a metric, baseline first.</summary>
    public IReadOnlyList<Frontier> Arms(string metric) => byMetric.GetValueOrDefault(ResultMetrics.Normalise(metric)) ?? [];

    /// <summary>The frontiers of a loaded folder (built once per folder).</summary>
    public static FrontierFits Of(ResultsFolder folder) => cache.GetValue(folder, f => From(f.Fits, f.FitsProblem));

    /// <summary>The frontiers of a folder's fits.json alone.</summary>
    public static FrontierFits Load(string resultsDir)
    {
        var doc = ResultsFolder.ReadFits(resultsDir, out var problem);
        return From(doc, problem);
    }

    static FrontierFits From(FitsDocument? doc, string? problem)
    {
        var fits = new FrontierFits { Exists = doc is not null || problem is not null };
        if (problem is not null) fits.problems.Add(problem);
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
                if (FittedLaws.Frontier(arm) is not { } frontier)
                {
                    fits.problems.Add($"fits.json: metric '{metric.Metric}', arm '{arm.Group}': form '{arm.Law.Form}' is not one this report can draw");
                    continue;
                }
                var key = ResultMetrics.Normalise(metric.Metric);
                if (!fits.byMetric.TryGetValue(key, out var list)) fits.byMetric[key] = list = [];
                list.Add(new Frontier(metric.Metric, arm.Group, arm.Law.Form, frontier.Description, frontier.Predict,
                                      arm.MaxCompute > 0 ? arm.MinCompute : double.NaN, arm.MaxCompute > 0 ? arm.MaxCompute : double.NaN, arm.Law.AtBound.Count > 0));
            }
        }
        return fits;
    }
}
