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
        Assert.Single(r.Rows, x => x.Kind == MultiplierKind.Slope && x.Treatment == treatment && x.Quantity == wrt && x.Accounting == accounting);

    [Fact]
    public void A_planted_size_trend_is_recovered_with_an_interval_and_a_test_whatever_tau_form_the_cv_picks()
    {
        var clock = Stopwatch.StartNew();
        var grid = new SyntheticGrid { Gain = 1.5, GainSlope = 0.2, SeedEffect = 0.01, RunNoise = 0.004 };
        var result = Estimate(grid, dataSeed: 5, replicates: 40);
        var bN = Slope(result, "logit-kd", "slope_ln_n");
        var bD = Slope(result, "logit-kd", "slope_ln_d");
        output.WriteLine($"b_N = {bN.Value} [{bN.ValueCi95Low}, {bN.ValueCi95High}] p = {bN.ValueP}; b_D = {bD.Value} [{bD.ValueCi95Low}, {bD.ValueCi95High}] p = {bD.ValueP}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.InRange(bN.Value!.Value, 0.15, 0.25);
        Assert.True(bN.ValueCi95Low <= 0.2 && 0.2 <= bN.ValueCi95High, "the interval holds the planted slope");
        Assert.True(bN.ValueP < 0.05, "a trend of 0.2 per e-fold of N is detected");
        Assert.Equal("cluster_seed_t", bN.Interval);
        // Constant in D: the budget slope is near 0 and its interval holds 0.
        Assert.InRange(bD.Value!.Value, -0.08, 0.08);
        Assert.True(bD.ValueCi95Low <= 0 && 0 <= bD.ValueCi95High);
        // The placebo's slope (scratch against scratch) is near 0 with an interval that covers 0.
        var pN = Slope(result, MultiplierEstimator.PlaceboGroup, "slope_ln_n");
        Assert.InRange(pN.Value!.Value, -0.1, 0.1);
        Assert.True(pN.ValueCi95Low <= 0 && 0 <= pN.ValueCi95High);
        // summary.json carries the same numbers.
        var s = Assert.Single(result.Summary.Slopes, x => x.Treatment == "logit-kd" && x.Quantity == "slope_ln_n" && x.Accounting == "student");
        Assert.Equal(bN.Value, s.Value);
        Assert.Equal(bN.ValueP, s.P);
    }

    [Fact]
    public void A_fixed_teacher_cost_makes_the_budget_slope_positive_under_teacher_accounting()
    {
        // Planted: no trend at all under student accounting.  With the teacher's pre-training charged once per run, the
        // multiplier grows with D (the fixed cost is spread over more tokens): b_D > 0.
        var grid = new SyntheticGrid { Gain = 2, TeacherFlopsPerToken = 1e5, TeacherPretrain = 1e12, SeedEffect = 0.01, RunNoise = 0.004 };
        var result = Estimate(grid, dataSeed: 7, replicates: 20, accounting: ["student", "+teacher"]);
        var student = Slope(result, "logit-kd", "slope_ln_d");
        var teacher = Slope(result, "logit-kd", "slope_ln_d", "+teacher");
        output.WriteLine($"b_D student {student.Value}, +teacher {teacher.Value}");
        Assert.InRange(student.Value!.Value, -0.08, 0.08);
        Assert.True(teacher.Value > student.Value + 0.3, $"b_D under +teacher ({teacher.Value}) exceeds student's ({student.Value})");
    }

    [Fact]
    public void Crossover_and_payoff_match_the_planted_law_per_size()
    {
        // Planted: g = 2 at the mean ln D, falling with D (d ln g / d ln D = -0.5), so under student accounting M = 1 at
        // ln D* = mean ln D + ln 2 / 0.5, the same for every size.
        var grid = new SyntheticGrid { Gain = 2, BudgetSlope = -0.5, TeacherFlopsPerToken = 1e5, TeacherPretrain = 1e12, SeedEffect = 0.005, RunNoise = 0.002 };
        var result = Estimate(grid, dataSeed: 9, replicates: 20, accounting: ["student", "+teacher"]);
        var center = grid.Budgets.Average(b => Math.Log(b));
        var planted = Math.Exp(center + Math.Log(2) / 0.5);
        foreach (var s in SyntheticGrid.QuickstartStudents)
        {
            var row = Assert.Single(result.Rows, r => r.Kind == MultiplierKind.Crossover && r.Quantity == "crossover_compute" && r.Student == s.Name && r.Accounting == "student");
            output.WriteLine($"{s.Name}: crossover {row.Value:G3} [{row.ValueCi95Low:G3}, {row.ValueCi95High:G3}] planted {s.FlopsPerToken * planted:G3}; {row.Note}");
            Assert.InRange(row.Value!.Value / (s.FlopsPerToken * planted), 0.7, 1.4);
            Assert.Contains("falls to 1", row.Note);
            Assert.True(row.Extrapolated); // D* is far beyond the 600k budget: the law, not the data, says where
            var payoff = Assert.Single(result.Rows, r => r.Kind == MultiplierKind.Crossover && r.Quantity == "payoff_students" && r.Student == s.Name);
            // K* = F / (D (g c - c - x)) at the largest budget with g = the planted gain there.
            var d = grid.Budgets.Max();
            var g = 2 * Math.Exp(-0.5 * (Math.Log(d) - center));
            var k = 1e12 / (d * (g * s.FlopsPerToken - s.FlopsPerToken - 1e5));
            output.WriteLine($"{s.Name}: payoff K {payoff.Value:G3} [{payoff.ValueCi95Low:G3}, {payoff.ValueCi95High:G3}] planted {k:G3}");
            Assert.InRange(payoff.Value!.Value / k, 0.8, 1.25);
        }
        Assert.Contains(result.Summary.Crossovers, c => c.Quantity == "payoff_students");
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
        Assert.Contains(doc.RootElement.GetProperty("slopes").EnumerateArray(), e => e.GetProperty("quantity").GetString() == "slope_ln_d");
    }

    [Fact]
    public void The_report_shows_the_slopes_with_their_intervals_and_tests()
    {
        using var tmp = new TempDirectory();
        new SyntheticGrid { Gain = 1.5, GainSlope = 0.15 }.Write(tmp.Path, 11);
        var result = MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Metrics = [ResultsFolderLoader.ValLoss], Replicates = 6, Seed = 1 });
        EstimateWriter.Write(result, tmp.Path);
        var md = File.ReadAllText(Harness.Reporting.ReportWriter.Write(tmp.Path).Markdown);
        var b = Slope(result, "logit-kd", "slope_ln_n");
        Assert.Contains("d ln M / d ln N", md);
        Assert.Contains(b.Value!.Value.ToString("+0.000", System.Globalization.CultureInfo.InvariantCulture), md);
        Assert.Contains("Slopes under the other accounting scenarios", md);
        Assert.Contains("Crossovers: where M crosses 1", md);
        Assert.Contains("payoff_students", md);
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
