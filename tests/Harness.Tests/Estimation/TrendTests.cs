using System.Diagnostics;
using System.Text.Json;
using Harness.Estimation;
using Harness.Results;
using Xunit.Abstractions;

namespace Harness.Tests.Estimation;

/// <summary>Issue 23, item 1: size and budget dependence of M as estimates with intervals and a test of slope = 0.</summary>
public class TrendTests(ITestOutputHelper output)
{
    static EstimateResult Estimate(SyntheticGrid grid, int dataSeed, int replicates, IReadOnlyList<string>? accounting = null)
    {
        using var tmp = new TempDirectory();
        grid.Write(tmp.Path, dataSeed);
        return MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions
        {
            Metrics = [ResultsFolderLoader.ValLoss], Accounting = accounting ?? [], Replicates = replicates, Seed = dataSeed,
        });
    }

    static MultiplierRow Slope(EstimateResult r, string treatment, string wrt, string accounting = "student") =>
        Assert.Single(r.Rows, x => x.Kind == MultiplierKind.Slope && x.Treatment == treatment && x.SlopeWrt == wrt && x.Accounting == accounting);

    [Fact]
    public void A_planted_size_trend_is_recovered_with_an_interval_and_a_test_whatever_tau_form_the_cv_picks()
    {
        var clock = Stopwatch.StartNew();
        var grid = new SyntheticGrid { Gain = 1.5, GainSlope = 0.2, SeedEffect = 0.01, RunNoise = 0.004 };
        var result = Estimate(grid, dataSeed: 5, replicates: 40);
        var bN = Slope(result, "logit-kd", "ln_n");
        var bD = Slope(result, "logit-kd", "ln_d");
        output.WriteLine($"b_N = {bN.Slope} [{bN.SlopeCi95Low}, {bN.SlopeCi95High}] p = {bN.SlopeP}; b_D = {bD.Slope} [{bD.SlopeCi95Low}, {bD.SlopeCi95High}] p = {bD.SlopeP}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.InRange(bN.Slope!.Value, 0.15, 0.25);
        Assert.True(bN.SlopeCi95Low <= 0.2 && 0.2 <= bN.SlopeCi95High, "the interval holds the planted slope");
        Assert.True(bN.SlopeP < 0.05, "a trend of 0.2 per e-fold of N is detected");
        Assert.Equal("cluster_seed_t", bN.Interval);
        // Constant in D: the budget slope is near 0 and its interval holds 0.
        Assert.InRange(bD.Slope!.Value, -0.08, 0.08);
        Assert.True(bD.SlopeCi95Low <= 0 && 0 <= bD.SlopeCi95High);
        // The placebo's slope (scratch against scratch) is near 0 with an interval that covers 0.
        var pN = Slope(result, MultiplierEstimator.PlaceboGroup, "ln_n");
        Assert.InRange(pN.Slope!.Value, -0.1, 0.1);
        Assert.True(pN.SlopeCi95Low <= 0 && 0 <= pN.SlopeCi95High);
        // summary.json carries the same numbers.
        var s = Assert.Single(result.Summary.Slopes, x => x.Treatment == "logit-kd" && x.Wrt == "ln_n" && x.Accounting == "student");
        Assert.Equal(bN.Slope, s.Slope);
        Assert.Equal(bN.SlopeP, s.P);
    }

    [Fact]
    public void A_fixed_teacher_cost_makes_the_budget_slope_positive_under_teacher_accounting()
    {
        // Planted: no trend at all under student accounting.  With the teacher's pre-training charged once per run, the
        // multiplier grows with D (the fixed cost is spread over more tokens): b_D > 0.
        var grid = new SyntheticGrid { Gain = 2, TeacherFlopsPerToken = 1e5, TeacherPretrain = 1e12, SeedEffect = 0.01, RunNoise = 0.004 };
        var result = Estimate(grid, dataSeed: 7, replicates: 20, accounting: ["student", "+teacher"]);
        var student = Slope(result, "logit-kd", "ln_d");
        var teacher = Slope(result, "logit-kd", "ln_d", "+teacher");
        output.WriteLine($"b_D student {student.Slope}, +teacher {teacher.Slope}");
        Assert.InRange(student.Slope!.Value, -0.08, 0.08);
        Assert.True(teacher.Slope > student.Slope + 0.3, $"b_D under +teacher ({teacher.Slope}) exceeds student's ({student.Slope})");
    }

    [Fact]
    public void Slope_rows_round_trip_through_multipliers_csv_and_summary_json()
    {
        var result = Estimate(new SyntheticGrid { Gain = 1.5, GainSlope = -0.1 }, dataSeed: 3, replicates: 6);
        using var tmp = new TempDirectory();
        EstimateWriter.Write(result, tmp.Path);
        var rows = ResultTables.ReadAll<MultiplierRow>(tmp.File(ResultSchema.MultipliersFile));
        Assert.Equal(result.Rows.Where(r => r.Kind == MultiplierKind.Slope), rows.Where(r => r.Kind == MultiplierKind.Slope));
        Assert.Contains(File.ReadLines(tmp.File(ResultSchema.MultipliersFile)), l => l.StartsWith("3,slope,effective_data,logit-kd,val_loss,student,", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(File.ReadAllText(tmp.File(ResultSchema.SummaryFile)));
        Assert.Contains(doc.RootElement.GetProperty("slopes").EnumerateArray(), e => e.GetProperty("wrt").GetString() == "ln_d");
    }

    [Fact]
    public void The_report_shows_the_slopes_with_their_intervals_and_tests()
    {
        using var tmp = new TempDirectory();
        new SyntheticGrid { Gain = 1.5, GainSlope = 0.15 }.Write(tmp.Path, 11);
        var result = MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Metrics = [ResultsFolderLoader.ValLoss], Replicates = 6, Seed = 1 });
        EstimateWriter.Write(result, tmp.Path);
        var md = File.ReadAllText(Harness.Reporting.ReportWriter.Write(tmp.Path).Markdown);
        var b = Slope(result, "logit-kd", "ln_n");
        Assert.Contains("d ln M / d ln N", md);
        Assert.Contains(b.Slope!.Value.ToString("+0.000", System.Globalization.CultureInfo.InvariantCulture), md);
        Assert.Contains("Slopes under the other accounting scenarios", md);
    }

    [Fact]
    public void Slope_calibration_tallies_coverage_for_growing_flat_and_shrinking_gains()
    {
        var results = Calibration.RunSlopes(datasets: 1, replicates: 6, seed: 1);
        Assert.Equal(Calibration.SlopeCases.Count * 4, results.Count);
        foreach (var r in results) output.WriteLine($"{r.Case} {r.Slope}: truth {r.Truth}, median {r.MedianSlope:F3}, width {r.MedianWidth:F3}");
        foreach (var (name, grid) in Calibration.SlopeCases)
            Assert.Equal(grid.GainSlope, results.Single(r => r.Case == name && r.Slope == "d ln M / d ln N").Truth);
        Assert.All(results, r => Assert.Equal(0, r.NoInterval));
    }
}
