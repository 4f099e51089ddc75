using Harness.Estimation;
using Harness.Results;

namespace Harness.Tests.Estimation;

public class ScalingFitTests
{
    [Fact]
    public void RecoversChinchillaParametersFromNoisyData()
    {
        var truth = new ChinchillaLaw(1.7, 400, 1200, 0.34, 0.28);
        var rng = new Random(1);
        var points = new List<ScalingPoint>();
        foreach (var n in new[] { 1e7, 3e7, 1e8, 3e8, 1e9 })
            foreach (var d in new[] { 1e9, 3e9, 1e10, 3e10, 1e11 })
                points.Add(new ScalingPoint(n, d, truth.Predict(n, d) * Math.Exp(Synthetic.Noise(rng, 0.002))));
        var fit = ScalingLawFitter.FitChinchilla(points);
        Assert.Equal(truth.E, fit.E, 0.05);
        Assert.Equal(truth.Alpha, fit.Alpha, 0.03);
        Assert.Equal(truth.Beta, fit.Beta, 0.03);
        // A and B are exponentially sensitive to the exponents; check what matters: predictions at and beyond the data.
        foreach (var (n, d) in new[] { (1e7, 1e9), (1e9, 1e11), (3e9, 3e11) })
            Assert.InRange(fit.Predict(n, d) / truth.Predict(n, d), 0.99, 1.01);
    }

    [Fact]
    public void RecoversPowerLawAndItsInverse()
    {
        var truth = new PowerLaw(2.0, 60, 0.12);
        var rng = new Random(2);
        var points = Enumerable.Range(0, 12).Select(i => Math.Pow(10, 12 + 0.5 * i))
            .Select(c => (c, truth.Predict(c) * Math.Exp(Synthetic.Noise(rng, 0.002)))).ToList();
        var fit = ScalingLawFitter.FitPowerLaw(points);
        Assert.Equal(truth.E, fit.E, 0.1);
        Assert.Equal(truth.Alpha, fit.Alpha, 0.02);
        var y = truth.Predict(1e15);
        Assert.InRange(fit.ComputeToReach(y) / 1e15, 0.8, 1.25);
        Assert.True(double.IsPositiveInfinity(fit.ComputeToReach(fit.E * 0.99)));
    }

    [Fact]
    public void RecoversSigmoidWithChanceFloor()
    {
        var truth = new SigmoidLaw(0.25, 0.8, 0.9, Math.Log(1e16));
        var rng = new Random(3);
        var points = Enumerable.Range(0, 15).Select(i => Math.Pow(10, 13 + 0.4 * i))
            .Select(c => (c, truth.Predict(c) + Synthetic.Noise(rng, 0.005))).ToList();
        var fit = SigmoidFitter.Fit(points, 0.25, SigmoidFitter.PerfectScore(points.Select(p => p.Item2), 0.25));
        Assert.Equal(0.8, fit.Ceiling, 0.03);
        Assert.Equal(0.9, fit.Slope, 0.15);
        Assert.InRange(fit.ComputeToReach(truth.Predict(1e16)) / 1e16, 0.7, 1.4);
        Assert.True(double.IsPositiveInfinity(fit.ComputeToReach(0.95)));
        Assert.Equal(0, fit.ComputeToReach(0.2));
    }

    [Fact]
    public void AccountingScenariosByHand()
    {
        // Three rows: scratch (no extras), logit-kd (online teacher), seq-kd (cache share + generation).
        var rows = new[]
        {
            new FlopBreakdown(100),
            new FlopBreakdown(100, TeacherInference: 50, TeacherPretrain: 1000),
            new FlopBreakdown(200, TeacherCacheShare: 20, SyntheticGeneration: 30, TeacherPretrain: 1000),
        };
        double[][] expected =
        [
            // student, +inference, +teacher, amortised:10
            [100, 100, 100, 100],
            [100, 150, 1150, 250],
            [200, 250, 1250, 350],
        ];
        var scenarios = AccountingScenario.Resolve(null);
        Assert.Equal(["student", "+inference", "+teacher", "amortised:10"], scenarios.Select(s => s.Name));
        for (var r = 0; r < rows.Length; r++)
            for (var s = 0; s < scenarios.Count; s++)
                Assert.Equal(expected[r][s], scenarios[s].Compute(rows[r]), 9);
        Assert.Equal(200 + 50 + 1000 / 4.0, AccountingScenario.Parse("amortised:4").Compute(rows[2]), 9);
        Assert.Equal(["student", "+inference", "+teacher", "amortised:100"], AccountingScenario.Resolve(["amortised:100"]).Select(s => s.Name));
        var e = Assert.Throws<UserInputException>(() => AccountingScenario.Parse("amortised:0"));
        Assert.Contains("amortised:0", e.Message);
    }

    [Fact]
    public void BootstrapPercentilesAndSeedsAreStable()
    {
        Assert.Equal(Bootstrap.DeriveSeed(7, 3), Bootstrap.DeriveSeed(7, 3));
        Assert.NotEqual(Bootstrap.DeriveSeed(7, 3), Bootstrap.DeriveSeed(7, 4));
        var sorted = Bootstrap.Sorted([5, 1, double.NaN, 3, 2, 4]);
        Assert.Equal([1, 2, 3, 4, 5], sorted);
        Assert.Equal(3, Bootstrap.Percentile(sorted, 0.5));
        Assert.Equal(1.1, Bootstrap.Percentile(sorted, 0.025), 9);
        Assert.True(double.IsPositiveInfinity(Bootstrap.Percentile([1, 2, double.PositiveInfinity], 0.975)));
    }
}
