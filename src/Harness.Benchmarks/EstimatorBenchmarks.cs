using BenchmarkDotNet.Attributes;
using Harness.Estimation;
using Harness.Results;

namespace Harness.Benchmarks;

/// <summary>
/// The estimator's fits on deterministic synthetic data (generated in setup from known laws plus seeded log-normal
/// noise, so nothing is read from disk):
/// <list type="bullet">
/// <item>the Chinchilla L(N, D) fit alone (<see cref="ScalingLawFitter.FitChinchilla"/>: Epoch's 4500-start grid,
/// screened to 128 L-BFGS runs) on 200 points (10 sizes × 20 token counts);</item>
/// <item>the same fit with 200 bootstrap refits (<see cref="ChinchillaFitReport.Fit"/>, what <c>harness fit-scaling</c>
/// runs with its defaults);</item>
/// <item>the multiplier estimate (<see cref="MultiplierEstimator.Estimate"/>, 200 seed-cluster replicates with the placebo, all four accounting
/// scenarios) on a sweep-shaped table: a scratch baseline of 5 sizes × 2 seeds × 8-point curves and a distilled
/// treatment of 4 sizes × 2 seeds, all loss points on a Chinchilla law.</item>
/// </list>
/// These are pure managed CPU work (L-BFGS over MathNet, Parallel.For over starts and resamples): the numbers say how
/// long <c>estimate</c> and <c>fit-scaling</c> keep a user waiting.
/// </summary>
// In-process: see TrainingStepBenchmarks.
[InProcess]
[MemoryDiagnoser]
[WarmupCount(1)]
[IterationCount(5)]
public class EstimatorBenchmarks
{
    const int Resamples = 200;

    /// <summary>Truth of the synthetic data (the test suite's law, Chinchilla-like exponents).</summary>
    static readonly ChinchillaLaw Truth = new(1.7, 400, 1200, 0.34, 0.28);

    List<ScalingPoint> points = [];
    EstimationInput sweep = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        points = [];
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 20; j++)
            {
                double n = 1e7 * Math.Pow(100, i / 9.0), d = 1e9 * Math.Pow(100, j / 19.0);
                points.Add(new ScalingPoint(n, d, Truth.Predict(n, d) * Math.Exp(Noise(rng, 0.005))));
            }
        sweep = SyntheticSweep(rng);
        // The data must exercise the real path: a fit that recovers the law, and a same-size multiplier near 2.
        var fit = ScalingLawFitter.FitChinchilla(points);
        var effective = MultiplierEstimator.Estimate(sweep, new EstimateOptions { Replicates = 0 })
                                           .SummaryRow("logit-kd", "val_loss", Harness.Results.Estimand.EffectiveData);
        if (Math.Abs(fit.Alpha - Truth.Alpha) > 0.05 || Math.Abs(fit.Beta - Truth.Beta) > 0.05 || effective?.M is not (> 1.5 and < 2.5))
            throw new InvalidOperationException(FormattableString.Invariant(
                $"synthetic estimator data is off: alpha {fit.Alpha:F3}, beta {fit.Beta:F3}, effective-data M {effective?.M:F2}"));
    }

    /// <summary>Scratch curves on <see cref="Truth"/>; the treatment reaches what its size would with 2× its tokens.</summary>
    static EstimationInput SyntheticSweep(Random rng)
    {
        var series = new List<MetricPoint>();
        double[] sizes = [1e6, 3e6, 1e7, 3e7, 1e8];
        foreach (var n in sizes)
            for (int seed = 0; seed < 3; seed++)
            {
                string unit = $"scratch-{n:0}-{seed}";
                for (int k = 1; k <= 8; k++)
                {
                    double d = 20 * n * k / 4;
                    series.Add(new MetricPoint("scratch", unit, $"n{n:0}", $"b{k}", n, d, new FlopBreakdown(6 * n * d),
                                               Truth.Predict(n, d) * Math.Exp(Noise(rng, 0.003)), true, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        foreach (var n in sizes)
            for (int seed = 0; seed < 3; seed++)
            {
                for (int k = 1; k <= 8; k++)
                {
                    double d = 20 * n * k / 4;
                    series.Add(new MetricPoint("logit-kd", $"logit-kd-{n:0}-{seed}", $"n{n:0}", $"b{k}", n, d,
                                               new FlopBreakdown(6 * n * d, TeacherInference: 2 * n * d, TeacherPretrain: 1e18),
                                               Truth.Predict(n, 2 * d) * Math.Exp(Noise(rng, 0.002)), true, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        return new EstimationInput
        {
            Source = "synthetic",
            BaselineGroup = "scratch",
            TreatmentGroups = ["logit-kd"],
            Metrics = [new MetricSeries("val_loss", MetricKind.Loss, double.NaN, series)],
        };
    }

    /// <summary>Gaussian noise by Box–Muller from a seeded generator.</summary>
    static double Noise(Random rng, double sd) =>
        sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Benchmark]
    public ChinchillaLaw ChinchillaFit() => ScalingLawFitter.FitChinchilla(points);

    [Benchmark]
    public ChinchillaFitReport ChinchillaFitWithBootstrap() => ChinchillaFitReport.Fit(points, Resamples, seed: 0);

    [Benchmark]
    public EstimateResult MultiplierEstimate() => MultiplierEstimator.Estimate(sweep, new EstimateOptions { Replicates = Resamples, Seed = 0 });
}
