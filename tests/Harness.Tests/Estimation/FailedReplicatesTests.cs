using Harness.Estimation;
using Harness.Reporting;
using Harness.Results;
using ScottPlot;
using Xunit.Abstractions;

namespace Harness.Tests.Estimation;

/// <summary>
/// Issue 23, items 6 and 7: every failed bootstrap replicate has a class and every row its failure rate; the report
/// draws a fitted frontier solid over its runs' compute and dashed, labelled, beyond.
/// </summary>
public class FailedReplicatesTests(ITestOutputHelper output)
{
    [Fact]
    public void Failed_replicates_are_classified_and_the_rate_is_per_row_and_the_frontier_is_dashed_beyond_the_runs()
    {
        // A 2x gain flat in N and D: M > 1 at every compute, so the crossover search finds no crossing in the point fit
        // (a lower bound) and in the replicates (failed: no_crossing).
        using var tmp = new TempDirectory();
        new SyntheticGrid { Gain = 2, SeedEffect = 0.01, RunNoise = 0.004 }.Write(tmp.Path, dataSeed: 11);
        var result = MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Metrics = [ResultsFolderLoader.ValLoss], Replicates = 20, Seed = 11 });
        foreach (var r in result.Rows.Where(r => r.FailedReplicates > 0).Take(8))
            output.WriteLine($"{r.Kind.OnDisk()} {r.Estimand.OnDisk()} {r.Accounting} {r.Student} {r.Quantity}: {r.FailedReplicates}/{r.Replicates} ({r.FailedRate}) {r.FailedReasons}");
        Assert.All(result.Rows.Where(r => r.Replicates > 0), r =>
        {
            Assert.Equal(r.FailedReplicates / (double)r.Replicates, r.FailedRate!.Value, 12);
            // The classes add up to the failures.
            var counted = r.FailedReasons.Length == 0 ? 0 : r.FailedReasons.Split("; ").Sum(p => int.Parse(p[(p.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(counted >= r.FailedReplicates, $"{r.MatchKey}: {r.FailedReasons} vs {r.FailedReplicates}");
        });
        var crossing = result.Rows.Where(r => r.Kind == MultiplierKind.Crossover && r.Quantity == "crossover_compute" && r.Accounting == "student").ToList();
        Assert.NotEmpty(crossing);
        Assert.All(crossing, r => Assert.StartsWith("no_crossing ", r.FailedReasons));
        Assert.DoesNotContain(result.Rows, r => r.Kind == MultiplierKind.Summary && r.Accounting == "student" && r.Estimand == Estimand.Frontier && r.FailedReplicates > 0);

        // The report's capability figure: each arm's law solid over its runs' compute, dashed and labelled beyond.
        EstimateWriter.Write(result, tmp.Path);
        var folder = ResultsFolder.Load(tmp.Path);
        var figure = ReportFigures.Capability(folder, ResultsFolderLoader.ValLoss, lowerIsBetter: true, out var note);
        var lines = figure.Plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(s => s.LegendText.Contains("frontier", StringComparison.Ordinal)).ToList();
        foreach (var l in lines) output.WriteLine($"{l.LegendText}: {l.LinePattern}");
        var solid = Assert.Single(lines, l => l.LegendText.StartsWith("scratch frontier (", StringComparison.Ordinal));
        Assert.Equal(LinePattern.Solid, solid.LinePattern);
        var arm = folder.Fits!.Metrics.Single(m => m.Metric == ResultsFolderLoader.ValLoss).Arms.Single(a => a.Group == ResultSchema.ScratchMethod);
        var xs = solid.Data.GetScatterPoints().Select(p => p.X).ToList();
        Assert.InRange(xs.Min(), Math.Log10(arm.MinCompute) - 1e-6, Math.Log10(arm.MaxCompute));
        Assert.InRange(xs.Max(), Math.Log10(arm.MinCompute), Math.Log10(arm.MaxCompute) + 1e-6);
        Assert.Contains(lines, l => l.LegendText == "scratch frontier extrapolated (beyond its runs' compute)" && l.LinePattern.Equals(LinePattern.Dashed));
        Assert.Contains("dashed beyond it", note);
        figure.Plot.Dispose();
    }
}
