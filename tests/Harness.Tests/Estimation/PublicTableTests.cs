using System.Globalization;
using System.Text;
using Harness.Cli;
using Harness.Estimation.PublicTables;
using Harness.Results;

namespace Harness.Tests.Estimation;

public class PublicTableTests
{
    const string Header = "group,model,params,compute_flops,benchmark,score,higher_is_better,chance";

    static string Write(string csv)
    {
        var path = Path.Combine(TestSupport.TempDirectory(), "table.csv");
        File.WriteAllText(path, csv);
        return path;
    }

    static TableMultiplierRow Point(TableEstimate e, string baseline, string benchmark, string model, string control = TableEstimator.NoControl) =>
        e.Rows.Single(r => r.Kind == TableRowKind.Point && r.Baseline == baseline && r.Benchmark == benchmark && r.Model == model && r.Control == control);

    static TableMultiplierRow Mean(TableEstimate e, string baseline, string benchmark, string control = TableEstimator.NoControl) =>
        e.Rows.Single(r => r.Kind == TableRowKind.GroupMean && r.Baseline == baseline && r.Benchmark == benchmark && r.Control == control);

    [Fact]
    public void Lower_and_upper_bounds_are_kept_and_use_the_running_best()
    {
        // Baseline: 1e21 → 10, 1e22 → 20, 1e23 → 30, and 1e24 → 25 (worse than 1e23: off the running best, but it
        // is the most expensive model, so it sets the lower bound: no model up to 1e24 reached 40).
        var path = Write(Header + "\n" +
            "base,b1,1,1e21,x,10,true,\nbase,b2,1,1e22,x,20,true,\nbase,b3,1,1e23,x,30,true,\nbase,b4,1,1e24,x,25,true,\n" +
            "new,beats-all,1,1e21,x,40,true,\nnew,inside,1,1e21,x,25,true,\nnew,below,1,1e22,x,5,true,\nnew,ties-b3,1,1e21,x,30,true,\n");
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["base"], Treatments = ["new"], Replicates = 200 });

        var beats = Point(e, "base", "x", "beats-all");
        Assert.Equal(BoundKind.Lower, beats.Bound);
        Assert.Equal(1e24 / 1e21, beats.M!.Value, 6);          // ≥ 1000×, from b4, not b3
        Assert.Equal("b4", beats.FrontierBelow);
        Assert.Null(beats.MCi95Low);                           // a bound has no interval

        // Inside: 25 is halfway between b2 (20) and b3 (30): ln C_B = ln 1e22 + 0.5·ln 10 → C_B = 10^22.5, M = 10^1.5.
        var inside = Point(e, "base", "x", "inside");
        Assert.Equal(BoundKind.None, inside.Bound);
        Assert.Equal(Math.Pow(10, 1.5), inside.M!.Value, 6);
        Assert.Equal(("b2", "b3"), (inside.FrontierBelow, inside.FrontierAbove));

        // Below the cheapest model: M ≤ 1e21 / 1e22.
        var below = Point(e, "base", "x", "below");
        Assert.Equal(BoundKind.Upper, below.Bound);
        Assert.Equal(0.1, below.M!.Value, 9);

        // Exactly on a frontier model: its compute.
        Assert.Equal(100, Point(e, "base", "x", "ties-b3").M!.Value, 6);

        // A mean over points with lower and upper bounds in it is no number, and says so.
        var mean = Mean(e, "base", "x");
        Assert.Equal("mixed bounds", mean.Status);
        Assert.Null(mean.M);
        Assert.Equal(4, mean.Points);
    }

    [Fact]
    public void A_mean_with_only_lower_bounds_in_it_is_a_lower_bound()
    {
        var path = Write(Header + "\n" +
            "base,b1,1,1e21,x,10,true,\nbase,b2,1,1e22,x,20,true,\nbase,b3,1,1e23,x,30,true,\n" +
            "new,n1,1,1e21,x,35,true,\nnew,n2,1,1e21,x,25,true,\n");
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["base"], Treatments = ["new"], Replicates = 100 });
        var mean = Mean(e, "base", "x");
        Assert.Equal("lower bound", mean.Status);
        Assert.Equal(BoundKind.Lower, mean.Bound);
        // geometric mean of ≥ 100 and 10^1.5 = 10^((2 + 1.5)/2)
        Assert.Equal(Math.Pow(10, 1.75), mean.M!.Value, 6);
    }

    [Fact]
    public void Each_baseline_family_is_reported_separately()
    {
        // Family "general" is 10× less efficient than family "special" at every score; the treatment point at
        // score 25 with compute 1e21 is 10^1.5 = 31.6× against special and 316× against general.  On benchmark y only
        // "general" has 3 models: "special" gets rows that say why there is no number.
        var path = Write(Header + "\n" +
            "general,g1,1,1e22,x,10,true,\ngeneral,g2,1,1e23,x,20,true,\ngeneral,g3,1,1e24,x,30,true,\n" +
            "special,s1,1,1e21,x,10,true,\nspecial,s2,1,1e22,x,20,true,\nspecial,s3,1,1e23,x,30,true,\n" +
            "general,g1,1,1e22,y,1,true,\ngeneral,g2,1,1e23,y,2,true,\ngeneral,g3,1,1e24,y,3,true,\nspecial,s1,1,1e21,y,1,true,\n" +
            "new,n1,1,1e21,x,25,true,\nnew,n1,1,1e21,y,2,true,\n");
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["general", "special"], Treatments = ["new"], Replicates = 100 });
        Assert.Equal(Math.Pow(10, 2.5), Point(e, "general", "x", "n1").M!.Value, 6);
        Assert.Equal(Math.Pow(10, 1.5), Point(e, "special", "x", "n1").M!.Value, 6);
        Assert.Equal(100, Point(e, "general", "y", "n1").M!.Value, 6);
        var none = Point(e, "special", "y", "n1");
        Assert.Null(none.M);
        Assert.Contains("1 model(s) on y", none.Note);
        Assert.Equal(2, e.Fits.Count(f => f.Benchmark == "x"));
    }

    /// <summary>
    /// Planted truth: every model follows y = 10 + 5·ln C + 8·t (t in years since 2020-01-01); the treatment models
    /// have 3× effective compute, y = 10 + 5·(ln C + ln 3) + 8·t, and are all released late (t in [3, 4]) while the
    /// baseline's dates are spread over [0, 4] independently of compute.  With the date covariate the fit recovers 3×;
    /// without it the treatment's lateness (8 points per year ≈ 1.6 in ln C per year) is credited to it as well.
    /// </summary>
    [Fact]
    public void Date_covariate_recovers_a_planted_gain_that_a_plain_fit_overstates()
    {
        var origin = new DateOnly(2020, 1, 1);
        string Date(double years) => origin.AddDays((int)Math.Round(years * 365.25)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var csv = new StringBuilder("group,model,compute_flops,benchmark,score,higher_is_better,release_date\n");
        for (var i = 0; i < 40; i++)
        {
            var lnC = 48 + 12.0 * i / 39;
            var t = (i * 7 % 40) / 10.0;                     // a permutation of 0.0 … 3.9: uncorrelated with compute
            var noise = i % 2 == 0 ? 0.1 : -0.1;
            csv.Append(CultureInfo.InvariantCulture, $"base,b{i},{Math.Exp(lnC):R},eci,{10 + 5 * lnC + 8 * t + noise:R},true,{Date(t)}\n");
        }
        for (var i = 0; i < 10; i++)
        {
            var lnC = 50 + 8.0 * i / 9;
            var t = 3 + i / 10.0;
            csv.Append(CultureInfo.InvariantCulture, $"new,n{i},{Math.Exp(lnC):R},eci,{10 + 5 * (lnC + Math.Log(3)) + 8 * t:R},true,{Date(t)}\n");
        }
        var path = Write(csv.ToString());
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["base"], Treatments = ["new"], Covariate = "release_date", Replicates = 400 });
        Assert.Equal(TableFrontierKind.Linear, e.Frontier);
        var withDate = Mean(e, "base", "eci", TableEstimator.DateControl);
        var plain = Mean(e, "base", "eci");
        Assert.InRange(withDate.M!.Value, 2.9, 3.1);
        Assert.InRange(3.0, withDate.MCi95Low!.Value, withDate.MCi95High!.Value);
        Assert.InRange(withDate.MMedian!.Value, 2.9, 3.1);
        Assert.True(plain.M > 10, $"without the covariate M = {plain.M}: the time trend should inflate it far above 3");
        Assert.True(plain.MCi95Low > 3, "and its interval should exclude the planted 3×");
        // The date fit's implied yearly growth is exp(γ/b) = exp(8/5).
        var fit = e.Fits.Single(f => f.Control == TableEstimator.DateControl);
        Assert.Equal(Math.Exp(8.0 / 5), fit.Parameters.Single(p => p.Name == "growth_per_year").Value, 1);
    }

    [Fact]
    public void Dedupe_keeps_the_best_version_of_a_base_model()
    {
        var path = Write("group,model,base_model,compute_flops,benchmark,score,higher_is_better\n" +
            "us,gpt-5_high,GPT-5,1e25,eci,150,true\nus,gpt-5_medium,GPT-5,1e25,eci,148,true\nus,a,A,1e23,eci,120,true\nus,b,B,1e24,eci,130,true\n" +
            "cn,c,C,1e24,eci,140,true\n");
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["us"], Treatments = ["cn"], DedupeBy = "base_model", Frontier = TableFrontierKind.Envelope, Replicates = 10 });
        Assert.DoesNotContain(e.Table.Models, m => m.Model == "gpt-5_medium");
        Assert.Contains(e.Table.Notes, n => n.Contains("kept 'gpt-5_high'") && n.Contains("'gpt-5_medium'"));
        Assert.Equal(3, Point(e, "us", "eci", "c").BaselineModels);
    }

    /// <summary>
    /// The shipped R1 table (experiments/tables/r1-distill-vs-qwen25.csv), numbers worked out by hand from its rows:
    /// <list type="bullet">
    /// <item>R1-Distill-Qwen-1.5B, MATH 83.9, C_T = 1.7560e23.  Qwen2.5-Instruct's best MATH is 83.1 (32B and 72B tie):
    /// a lower bound from the most expensive model, 7.8516e24 / 1.7560e23 = 44.71×.  Qwen2.5-Math-Instruct: 83.9 lies
    /// between 7B (83.6, 8.6754e23) and 72B (85.9, 8.2878e24): f = 0.3/2.3 = 0.13043, ln(8.2878e24/8.6754e23) =
    /// ln 9.5533 = 2.25689, C_B = 8.6754e23 · e^(0.13043·2.25689) = 8.6754e23 · 1.34232 = 1.16449e24, M = 6.6315.</item>
    /// <item>R1-Distill-Qwen-1.5B, GPQA 33.8.  Instruct's frontier: 0.5B 29.8 (1.5B ties it and is dropped), 3B 30.3
    /// (3.3372e23), 7B 36.4 (8.2188e23): f = 3.5/6.1 = 0.57377, ln(8.2188e23/3.3372e23) = ln 2.46279 = 0.90130,
    /// C_B = 3.3372e23 · e^0.51714 = 5.5972e23, M = 5.5972e23 / 1.7560e23 = 3.1875.</item>
    /// <item>R1-Distill-Qwen-7B, GPQA 49.1: between 14B (45.5, 1.5876e24) and 32B (49.5, 3.5100e24); 72B's 49.0 is off
    /// the running best.  f = 0.9, C_B = 1.5876e24 · 2.21088^0.9 = 3.24228e24, M = 3.24228e24 / 8.6772e23 = 3.7366.</item>
    /// <item>R1-Distill-Qwen-7B, MATH 92.8 against Math-Instruct: ≥ 8.2878e24 / 8.6772e23 = 9.5512×.</item>
    /// <item>R1-Distill-Qwen-32B, GPQA 62.1: ≥ 7.8516e24 / 3.5108e24 = 2.2364×.</item>
    /// <item>AIME 2024: no baseline model has a score: no number.  GPQA against Math-Instruct: no models either.</item>
    /// </list>
    /// </summary>
    [Fact]
    public void Golden_numbers_on_the_shipped_R1_table()
    {
        var path = Path.Combine(Cli.CliTests.RepositoryRoot(), "experiments", "tables", "r1-distill-vs-qwen25.csv");
        var e = TableEstimator.Estimate(new TableRequest { Path = path, Baselines = ["qwen2.5-instruct", "qwen2.5-math-instruct"], Treatments = ["r1-distill"], Replicates = 200 });
        const string I = "qwen2.5-instruct", M = "qwen2.5-math-instruct";
        void Is(double expected, TableMultiplierRow r, string bound)
        {
            Assert.Equal(bound, r.Bound);
            Assert.InRange(r.M!.Value, expected * 0.9995, expected * 1.0005);
        }
        Is(44.71, Point(e, I, "math", "DeepSeek-R1-Distill-Qwen-1.5B"), BoundKind.Lower);
        Is(6.6315, Point(e, M, "math", "DeepSeek-R1-Distill-Qwen-1.5B"), BoundKind.None);
        Is(3.1875, Point(e, I, "gpqa", "DeepSeek-R1-Distill-Qwen-1.5B"), BoundKind.None);
        Is(3.7366, Point(e, I, "gpqa", "DeepSeek-R1-Distill-Qwen-7B"), BoundKind.None);
        Is(9.5512, Point(e, M, "math", "DeepSeek-R1-Distill-Qwen-7B"), BoundKind.Lower);
        Is(2.2364, Point(e, I, "gpqa", "DeepSeek-R1-Distill-Qwen-32B"), BoundKind.Lower);
        Assert.All(e.Rows.Where(r => r.Benchmark == "aime2024" || (r.Benchmark == "gpqa" && r.Baseline == M)), r => Assert.Null(r.M));
        Assert.Equal(["Qwen2.5-0.5B-Instruct", "Qwen2.5-3B-Instruct", "Qwen2.5-7B-Instruct", "Qwen2.5-14B-Instruct", "Qwen2.5-32B-Instruct"],
                     e.Fits.Single(f => f.Baseline == I && f.Benchmark == "gpqa").FrontierModels.Select(m => m.Model));
    }

    /// <summary>
    /// The shipped ECI table, checked against an independent re-computation (plain Python, normal equations solved by
    /// Gaussian elimination, the same dedupe rule): after --dedupe-by base_model, 46 US and 27 Chinese models.  US fit
    /// without the date: ECI = −174.807 + 5.258·ln C; geometric-mean M of the Chinese models 3.5987, median 2.4632.
    /// With the date (reference = mean US date): ECI = −101.250 + 3.926·ln C + 8.616·years; M 1.7616, median 4.7431.
    /// </summary>
    [Fact]
    public void Golden_numbers_on_the_shipped_ECI_table()
    {
        var path = Path.Combine(Cli.CliTests.RepositoryRoot(), "experiments", "tables", "epoch-eci-us-china.csv");
        var e = TableEstimator.Estimate(new TableRequest
            { Path = path, Baselines = ["us"], Treatments = ["china"], Covariate = "release_date", DedupeBy = "base_model", Replicates = 50 });
        var plain = Mean(e, "us", "eci");
        var dated = Mean(e, "us", "eci", TableEstimator.DateControl);
        Assert.Equal(27, plain.Points);
        Assert.Equal(46, plain.BaselineModels);
        Assert.InRange(plain.M!.Value, 3.5987 * 0.9999, 3.5987 * 1.0001);
        Assert.InRange(plain.MMedian!.Value, 2.4632 * 0.9999, 2.4632 * 1.0001);
        Assert.InRange(dated.M!.Value, 1.7616 * 0.9999, 1.7616 * 1.0001);
        Assert.InRange(dated.MMedian!.Value, 4.7431 * 0.9999, 4.7431 * 1.0001);
        var fit = e.Fits.Single(f => f.Control == TableEstimator.DateControl);
        Assert.Equal(8.616, fit.Parameters.Single(p => p.Name == "gamma_per_year").Value, 3);
        Assert.Equal(3.926, fit.Parameters.Single(p => p.Name == "b").Value, 3);
    }

    [Fact]
    public void Bad_tables_get_one_line_per_problem_and_exit_code_2()
    {
        var path = Write("group,model,compute_flops,benchmark,score,higher_is_better,release_date\n" +
            "base,,1e21,x,10,true,2024-01-01\n" +            // row 2: missing model
            "base,b2,abc,x,20,true,2024-01-01\n" +            // row 3: non-numeric compute
            "base,b3,-5,x,30,true,2024-01-01\n" +             // row 4: non-positive compute
            "base,b3,1e23,x,30,true,2024-13-45\n" +           // row 5: duplicate of row 4, bad date
            "new,n1,1e21,x,25,true,2024-02-01\n");
        var e = Assert.Throws<UserInputException>(() => TableEstimator.Estimate(new TableRequest
            { Path = path, Baselines = ["base"], Treatments = ["new"], Covariate = "release_date" }));
        Assert.Contains(e.Problems, p => p.Contains("row 2, column 'model'") && p.Contains("fix:"));
        Assert.Contains(e.Problems, p => p.Contains("row 3, column 'compute_flops': value 'abc' is not a number"));
        Assert.Contains(e.Problems, p => p.Contains("row 4, column 'compute_flops': value '-5' must be greater than 0"));
        Assert.Contains(e.Problems, p => p.Contains("row 5, column 'model': value 'b3' duplicates row 4"));
        Assert.Contains(e.Problems, p => p.Contains("row 5, column 'release_date': value '2024-13-45' is not a date"));
        Assert.All(e.Problems, p => Assert.StartsWith(path, p));

        var noColumn = Assert.Throws<UserInputException>(() => TableEstimator.Estimate(new TableRequest
            { Path = path, Baselines = ["base"], Treatments = ["new"], Covariate = "launch" }));
        Assert.Contains("column 'launch': missing", noColumn.Message);

        var few = Write(Header + "\nbase,b1,1,1e21,x,10,true,\nbase,b2,1,1e22,x,20,true,\nnew,n1,1,1e21,x,25,true,\n");
        var fewError = Assert.Throws<UserInputException>(() => TableEstimator.Estimate(new TableRequest { Path = few, Baselines = ["base"], Treatments = ["new"] }));
        Assert.Contains("baseline 'base' has 2 model(s) on x", fewError.Message);
        Assert.Contains("at least 3", fewError.Message);

        var unknown = Assert.Throws<UserInputException>(() => TableEstimator.Estimate(new TableRequest { Path = few, Baselines = ["bsae"], Treatments = ["new"] }));
        Assert.Contains("value 'bsae' (given by --baseline) is in no row; groups present: base, new", unknown.Message);

        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "--table", path, "--baseline", "base", "--treatment", "new", "--covariate", "release_date"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "--table", few, "--baseline", "base", "--treatment", "new"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "--table", few, "--baseline", "base", "--treatment", "new", "--frontier", "spline"]));
        var good = Write(Header + "\nbase,b1,1,1e21,x,10,true,\nbase,b2,1,1e22,x,20,true,\nbase,b3,1,1e23,x,30,true,\nnew,n1,1,1e21,x,25,true,\n");
        var outDir = TestSupport.TempDirectory();
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "--table", good, "--baseline", "base", "--treatment", "new", "--out", outDir, "--no-such-option", "1"]));
        Assert.Equal(0, HarnessApp.Run(["estimate", "--table", good, "--baseline", "base", "--treatment", "new", "--out", outDir, "--replicates", "10"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "--table", few, "--baseline", "base", "--treatment", "new", "--covariate", "release_date", "--frontier", "envelope"]));
    }

    [Fact]
    public void The_shipped_R1_command_writes_its_multipliers_and_report()
    {
        var table = Path.Combine(Cli.CliTests.RepositoryRoot(), "experiments", "tables", "r1-distill-vs-qwen25.csv");
        var dir = TestSupport.TempDirectory();
        Assert.Equal(0, HarnessApp.Run(["estimate", "--table", table, "--baseline", "qwen2.5-instruct,qwen2.5-math-instruct", "--treatment", "r1-distill",
                                       "--replicates", "50", "--out", dir]));
        Assert.True(File.Exists(Path.Combine(dir, TableEstimateWriter.MultipliersFile)));
        Assert.True(File.Exists(Path.Combine(dir, TableEstimateWriter.FitsFile)));
        var report = File.ReadAllText(Path.Combine(dir, Harness.Reporting.TableReport.MarkdownFile));
        Assert.Contains("≥ 44.7×", report);
        Assert.True(File.Exists(Path.Combine(dir, Harness.Reporting.TableReport.FiguresFolder, "multiplier-vs-size.png")));
    }
}
