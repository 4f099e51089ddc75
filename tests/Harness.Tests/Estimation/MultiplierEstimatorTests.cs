using System.Globalization;
using Harness.Estimation;
using Harness.Results;

namespace Harness.Tests.Estimation;

public sealed class MultiplierEstimatorTests : IDisposable
{
    /// <summary>Per test (xunit makes one instance per test and disposes it): every folder and table the test writes.</summary>
    readonly TempDirectory tmp = new();

    public void Dispose() => tmp.Dispose();

    static readonly PowerLaw Frontier = new(2.0, 300, 0.15);

    /// <summary>
    /// Baseline: 4 sizes × 2 seeds, each a 5-point curve lying on a known compute frontier (1% noise).
    /// Treatment (logit-kd): final points reaching the loss the frontier reaches at <paramref name="gain"/> × its student
    /// compute, with teacher extras so the scenarios differ.
    /// </summary>
    string SweepFolder(double gain, Func<double, double>? treatmentLoss = null, int seeds = 2)
    {
        var dir = Directory.CreateDirectory(tmp.File("sweep-" + Guid.NewGuid().ToString("N"))).FullName;
        var rng = new Random(11);
        var units = new List<Synthetic.Unit>();
        var sizes = new[] { 1_000_000L, 3_000_000L, 10_000_000L, 30_000_000L };
        foreach (var n in sizes)
            for (var seed = 0; seed < seeds; seed++)
            {
                var tokens = Enumerable.Range(1, 5).Select(i => 2_000_000L * i * (n / 1_000_000L)).ToArray();
                var flops = tokens.Select(d => 6.0 * n * d).ToArray();
                var loss = flops.Select(c => Frontier.Predict(c) * Math.Exp(Synthetic.Noise(rng, 0.003))).ToArray();
                units.Add(new("scratch", $"s{n / 1_000_000}", "b1", seed, n, tokens, loss, flops));
            }
        foreach (var n in sizes.Take(3))
            for (var seed = 0; seed < seeds; seed++)
            {
                long[] tokens = [4_000_000L * (n / 1_000_000L)];
                double[] flops = [6.0 * n * tokens[0]];
                var y = treatmentLoss?.Invoke(flops[0]) ?? Frontier.Predict(gain * flops[0]) * Math.Exp(Synthetic.Noise(rng, 0.002));
                units.Add(new("logit-kd", $"s{n / 1_000_000}", "b1", seed, n, tokens, [y], flops,
                              TeacherInference: flops[0], TeacherPretrain: 100 * flops[0]));
            }
        units.Add(new("logit-kd", "s1", "b1", 9, 1_000_000, [1], [double.NaN], [1], Status: "failed"));
        Synthetic.Write(dir, units);
        return dir;
    }

    [Fact]
    public void RecoversKnownGainInsideItsInterval()
    {
        var dir = SweepFolder(gain: 3);
        var result = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Metrics = ["val_loss"], Resamples = 200, Seed = 1, GrowthPerYear = 3 });
        var mean = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "student" && r.Metric == "val_loss");
        Assert.Equal(6, mean.Points);
        Assert.InRange(3.0, mean.MCi95Low!.Value, mean.MCi95High!.Value);
        Assert.InRange(mean.M!.Value, 2.0, 4.5);
        Assert.Equal(Math.Log(mean.M.Value) / Math.Log(3), mean.Years!.Value, 9);
        // +inference doubles the treatment's compute, so M halves exactly; +teacher adds 100× more.
        var inference = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "+inference" && r.Metric == "val_loss");
        Assert.Equal(mean.M.Value / 2, inference.M!.Value, 9);
        var teacher = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "+teacher" && r.Metric == "val_loss");
        Assert.Equal(mean.M.Value / 102, teacher.M!.Value, 9);
        var amortised = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "amortised:10" && r.Metric == "val_loss");
        Assert.Equal(mean.M.Value / 12, amortised.M!.Value, 9);
        Assert.Equal(1, result.ExcludedFailedUnits);
        Assert.Contains(result.Rows, r => r.Kind == RowKind.ByStudent && r.Model == "s3");
        Assert.Contains(result.Rows, r => r.Kind == RowKind.ByBudget && r.Budget == "b1");
        // Points: one per treatment run × accounting.
        Assert.Equal(6 * 4, result.Rows.Count(r => r.Kind == RowKind.Point));

        var (csv, json) = EstimateWriter.Write(result, dir);
        var header = File.ReadLines(csv).First();
        foreach (var column in new[] { "treatment", "metric", "student_params", "tokens", "compute", "y_t", "baseline_compute", "m",
                                       "m_ci90_low", "m_ci90_high", "m_ci95_low", "m_ci95_high", "extrapolated", "accounting" })
            Assert.Contains(column, header.Split(','));
        Assert.Contains("\"frontier\"", File.ReadAllText(json));
    }

    [Fact]
    public void SameSizeVariantRecoversTokenMultiplier()
    {
        // Baseline from a known L(N, D); the treatment reaches what its size would reach with 2× its tokens.
        var law = new ChinchillaLaw(1.8, 150, 900, 0.35, 0.3);
        var dir = tmp.Path;
        var rng = new Random(5);
        var units = new List<Synthetic.Unit>();
        var sizes = new[] { 1_000_000L, 3_000_000L, 10_000_000L, 30_000_000L };
        foreach (var n in sizes)
            foreach (var budget in new[] { 1, 4 })
            {
                var tokens = Enumerable.Range(1, 5).Select(i => 5_000_000L * i * budget).ToArray();
                var loss = tokens.Select(d => law.Predict(n, d) * Math.Exp(Synthetic.Noise(rng, 0.002))).ToArray();
                units.Add(new("scratch", $"s{n}", $"b{budget}", 0, n, tokens, loss, tokens.Select(d => 6.0 * n * d).ToArray()));
            }
        foreach (var n in sizes)
        {
            long d = 20_000_000;
            units.Add(new("seq-kd", $"s{n}", "b1", 0, n, [d], [law.Predict(n, 2 * d)], [6.0 * n * d]));
        }
        Synthetic.Write(dir, units);
        var result = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Metrics = ["val_loss"], Resamples = 100, Seed = 2 });
        var mean = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "student");
        Assert.InRange(mean.SameSizeM!.Value, 1.7, 2.3);
        Assert.InRange(2.0, mean.SameSizeCi95Low!.Value, mean.SameSizeCi95High!.Value);
        var fit = result.Fits.Single(f => f.Metric == "val_loss");
        Assert.NotNull(fit.Chinchilla);
        Assert.Equal(law.Alpha, fit.Chinchilla!.Single(p => p.Name == "alpha").Value, 0.05);
    }

    [Fact]
    public void FlagsExtrapolationAndBeyondAsymptote()
    {
        // Treatment losses: 3.5 (inside the data, which spans about 2.9 to 5.3), 2.5 (below every baseline loss, above E = 2), 1.5 (below E).
        var targets = new Queue<double>([3.5, 3.5, 2.5, 2.5, 1.5, 1.5]);
        var dir = SweepFolder(gain: 1, treatmentLoss: _ => targets.Dequeue());
        var result = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Metrics = ["val_loss"], Resamples = 50 });
        var points = result.Rows.Where(r => r.Kind == RowKind.Point && r.Accounting == "student").ToList();
        var inside = points.Where(p => p.YT == 3.5).ToList();
        Assert.All(inside, p => { Assert.False(p.Extrapolated); Assert.Equal(MultiplierStatus.Ok, p.Status); Assert.NotNull(p.M); });
        var beyondData = points.Where(p => p.YT == 2.5).ToList();
        Assert.All(beyondData, p => { Assert.True(p.Extrapolated); Assert.Equal(MultiplierStatus.Ok, p.Status); });
        var asymptote = points.Where(p => p.YT == 1.5).ToList();
        Assert.All(asymptote, p => { Assert.True(p.Extrapolated); Assert.Equal(MultiplierStatus.BeyondAsymptote, p.Status); Assert.Null(p.M); });
        // The aggregate leaves asymptote points out and is marked extrapolated.
        var mean = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Accounting == "student");
        Assert.Equal(4, mean.Points);
        Assert.True(mean.Extrapolated);
    }

    [Fact]
    public void BootstrapIsReproducibleWithASeed()
    {
        var dir = SweepFolder(gain: 2);
        var options = new EstimateOptions { Metrics = ["val_bpb"], Resamples = 60, Seed = 42 };
        var a = MultiplierEstimator.EstimateResultsFolder(dir, options);
        var b = MultiplierEstimator.EstimateResultsFolder(dir, options);
        Assert.Equal(a.Rows, b.Rows);
        Assert.Equal(EstimateWriter.FitsJson(a), EstimateWriter.FitsJson(b));
        var c = MultiplierEstimator.EstimateResultsFolder(dir, options with { Seed = 43 });
        Assert.NotEqual(a.Rows.Select(r => r.MCi95Low), c.Rows.Select(r => r.MCi95Low));
        Assert.Equal(a.Rows.Select(r => r.M), c.Rows.Select(r => r.M));
    }

    [Fact]
    public void ScoreMetricsFromEvalsUseTheSigmoidFrontier()
    {
        // hellaswag/acc along every curve: chance 0.25, known sigmoid in log-compute; the treatment scores what the
        // baseline scores at 4× its compute.
        var dir = SweepFolder(gain: 4);
        var sig = new SigmoidLaw(0.25, 0.7, 0.9, Math.Log(1e15));
        var curves = ResultTables.ReadAll<CurveRow>(Path.Combine(dir, ResultSchema.CurvesFile));
        var rng = new Random(3);
        var evals = curves.Select(c => new EvalRow
        {
            UnitKey = c.UnitKey, Method = c.Method, Step = c.Step, Tokens = c.Tokens, IsFinal = c.IsFinal, Task = "hellaswag", Metric = "acc",
            Value = sig.Predict((c.Method == "scratch" ? 1 : 4) * c.FlopsStudentTrain) + Synthetic.Noise(rng, 0.002),
            Chance = 0.25, HigherIsBetter = true,
        }).Append(new EvalRow { UnitKey = "teacher", Method = "teacher", Task = "hellaswag", Metric = "acc", Value = 0.9, Chance = 0.25, HigherIsBetter = true, IsFinal = true })
          .ToList();
        ResultTables.WriteAll(Path.Combine(dir, ResultSchema.EvalsFile), evals);
        var result = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Resamples = 100, Seed = 3 });
        Assert.Equal(["val_loss", "val_bpb", "hellaswag/acc"], result.Fits.Select(f => f.Metric));
        var fit = result.Fits.Single(f => f.Metric == "hellaswag/acc");
        Assert.Equal(MetricKind.Score, fit.Kind);
        Assert.Equal(0.25, fit.Frontier!.Single(p => p.Name == "floor").Value);
        var mean = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Metric == "hellaswag/acc" && r.Accounting == "student");
        Assert.InRange(mean.M!.Value, 3, 5.5);
        Assert.InRange(4.0, mean.MCi95Low!.Value, mean.MCi95High!.Value);
        // Cross-benchmark summary over the one benchmark is not emitted (needs two); over loss metrics neither.
        Assert.DoesNotContain(result.Rows, r => r.Kind == RowKind.TreatmentMean);
    }

    [Fact]
    public void FinalOnlyUsesFewerBaselinePoints()
    {
        var dir = SweepFolder(gain: 2);
        var all = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Metrics = ["val_loss"], Resamples = 0 });
        var final = MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions { Metrics = ["val_loss"], Resamples = 0, FinalOnly = true });
        Assert.Equal(40, all.Fits[0].BaselinePoints);
        Assert.Equal(8, final.Fits[0].BaselinePoints);
    }

    string Table(string text)
    {
        var path = Path.Combine(Directory.CreateDirectory(tmp.File("table-" + Guid.NewGuid().ToString("N"))).FullName, "models.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ExternalTableGivesPointAndAggregateRows()
    {
        var lines = new List<string> { "group,model,compute_flops,benchmark,score,higher_is_better,chance" };
        var sig = new SigmoidLaw(0.25, 0.9, 0.8, Math.Log(1e22));
        var loss = new PowerLaw(1.5, 40, 0.08);
        for (var i = 0; i < 10; i++)
        {
            var c = Math.Pow(10, 20 + 0.4 * i);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"old,m{i},{c},mmlu,{sig.Predict(c)},true,0.25"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"old,m{i},{c},pile_loss,{loss.Predict(c)},false,"));
        }
        for (var i = 0; i < 3; i++)
        {
            var c = Math.Pow(10, 21 + 0.5 * i);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"new,n{i},{c},mmlu,{sig.Predict(5 * c)},true,0.25"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"new,n{i},{c},pile_loss,{loss.Predict(5 * c)},false,"));
        }
        var path = Table(string.Join("\n", lines));
        var result = MultiplierEstimator.EstimateTable(path, "old", ["new"], new EstimateOptions { Resamples = 100 });
        Assert.Equal(["student"], result.Accounting.Select(a => a.Name));
        foreach (var metric in new[] { "mmlu", "pile_loss" })
        {
            var agg = result.Rows.Single(r => r.Kind == RowKind.MetricMean && r.Metric == metric);
            Assert.Equal("*", agg.Model);
            Assert.InRange(agg.M!.Value, 3.5, 7);
            Assert.InRange(5.0, agg.MCi95Low!.Value * 0.999, agg.MCi95High!.Value * 1.001);
        }
        var (csv, _) = EstimateWriter.Write(result, Path.GetDirectoryName(path)!);
        Assert.Contains(File.ReadLines(csv), l => l.StartsWith("metric_mean,new,mmlu,*,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("group,model,compute_flops,benchmark,higher_is_better\nold,a,1e20,mmlu,true\n", "row 1", "'score'")]
    [InlineData("group,model,compute_flops,benchmark,score,higher_is_better\nold,a,1e20,mmlu,0.3,true\nnew,b,lots,mmlu,0.4,true\n", "row 3", "'compute_flops'")]
    [InlineData("group,model,compute_flops,benchmark,score,higher_is_better\nold,a,1e20,mmlu,0.3,true\nold,b,1e21,mmlu,0.4,true\n", "no row has group 'new'", "'group'")]
    public void BadTablesGiveOneLineErrorNamingFileRowAndColumn(string text, string where, string column)
    {
        var path = Table(text);
        var e = Assert.Throws<UserInputException>(() => MultiplierEstimator.EstimateTable(path, "old", ["new"], new EstimateOptions { Resamples = 0 }));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(column, e.Message);
    }

    [Fact]
    public void BadScalingTableNamesCell()
    {
        var path = Table("N,D,loss\n1e6,1e9,3.1\n2e6,x,3.0\n");
        var e = Assert.Throws<UserInputException>(() => ScalingTableLoader.Load(path, "N", "D", "loss", null, 0));
        Assert.Equal($"{path}: row 3, column 'D': value 'x' is not a number; fix: write a plain number with '.' as the decimal point (e.g. 1.5e21).", e.Message);
    }

    [Fact]
    public void MissingResultsFolderIsAUserError()
    {
        var e = Assert.Throws<UserInputException>(() => MultiplierEstimator.EstimateResultsFolder("/nonexistent/results", new EstimateOptions()));
        Assert.Contains("/nonexistent/results", e.Message);
    }
}
