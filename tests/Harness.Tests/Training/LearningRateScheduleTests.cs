using Harness.Training;
using TorchSharp;
using Harness.Config;
using Harness.IO;

namespace Harness.Tests.Training;

/// <summary>Values of the warm-up + cosine schedule (Loshchilov &amp; Hutter 2017) and of WSD's cooldown length and
/// trainer-side values (Hägele et al. 2024), worked out by hand.</summary>
public class LearningRateScheduleTests
{
    // η_max = 1, η_min = 0.1, W = 4 warm-up steps, S = 14 steps.
    // Warm-up: η(s) = η_max·(s+1)/W for s < W.  Decay: progress π_s = (s − W)/(S − W) = (s − 4)/10,
    // η(s) = η_min + ½(η_max − η_min)(1 + cos(π·π_s)) = 0.1 + 0.45·(1 + cos(π·π_s)).
    static readonly LearningRateSchedule Cosine = new(PeakLr: 1.0, MinLr: 0.1, WarmupSteps: 4, TotalSteps: 14);
    static readonly double Cos36 = (1 + Math.Sqrt(5)) / 4;                          // cos(π/5) = 0.809017…
    static readonly double Cos18 = Math.Sqrt(10 + 2 * Math.Sqrt(5)) / 4;            // cos(π/10) = 0.951057…

    [Theory]
    [InlineData(0, 0.25)]                  // 1·1/4: the first step already has a non-zero rate
    [InlineData(1, 0.5)]
    [InlineData(2, 0.75)]
    [InlineData(3, 1.0)]                   // warm-up reaches η_max at its last step
    [InlineData(4, 1.0)]                   // π = 0: cos 0 = 1 → 0.1 + 0.9
    [InlineData(9, 0.55)]                  // π = ½: cos(π/2) = 0 → the midpoint (η_max + η_min)/2
    [InlineData(14, 0.1)]                  // s = S: η_min
    [InlineData(20, 0.1)]                  // past the end: stays at η_min
    public void Cosine_with_warm_up_takes_the_hand_computed_values(int step, double expected) =>
        Assert.Equal(expected, Cosine.At(step), 12);

    [Fact]
    public void Cosine_quarter_points_are_symmetric_about_the_midpoint()
    {
        Assert.Equal(0.1 + 0.45 * (1 + Cos36), Cosine.At(6), 12);                   // π = 0.2: 0.914058…
        Assert.Equal(0.1 + 0.45 * (1 - Cos36), Cosine.At(12), 12);                  // π = 0.8: 0.185942…
        Assert.Equal(0.1 + 0.45 * (1 - Cos18), Cosine.At(13), 12);                  // π = 0.9: 0.122024…
        Assert.Equal(1.1, Cosine.At(6) + Cosine.At(12), 12);                        // η(4 + x) + η(14 − x) = η_max + η_min
        Assert.All(Enumerable.Range(3, 12), s => Assert.True(Cosine.At(s + 1) <= Cosine.At(s)));
    }

    [Fact]
    public void Without_warm_up_the_first_step_is_at_the_peak()
    {
        var noWarmup = new LearningRateSchedule(1.0, 0.1, WarmupSteps: 0, TotalSteps: 10);
        Assert.Equal(1.0, noWarmup.At(0), 12);
        Assert.Equal(0.55, noWarmup.At(5), 12);                                     // π = 5/10
        Assert.Equal(0.1, noWarmup.At(10), 12);
    }

    /// <summary>Trains the tiny model on a pattern stream under <paramref name="training"/> and returns the learning rate of every logged step.</summary>
    static List<double> LearningRatesOfARun(TrainingConfig training)
    {
        torch.manual_seed(1);
        var shape = TestSupport.TinyModel();
        using var model = new Harness.Modeling.Gpt(shape);
        var rates = new List<double>();
        new Trainer(model, training, new BatchSampler(TestSupport.PatternStream(500, 64), 2, shape.ContextLength, 1),
                new LossEvaluator(TestSupport.PatternStream(200, 64, seed: 2), TestSupport.UnitByteLengths(64), shape.ContextLength, 64), new CrossEntropyObjective(), torch.CPU)
            .Run(progress: new CallbackProgress<TrainingProgress>(p => rates.Add(p.LearningRate)));
        return rates;
    }

    static void AssertRates(double[] expected, List<double> rates)
    {
        Assert.Equal(expected.Length, rates.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rates[i], 12);
    }

    [Fact]
    public void The_trainer_follows_the_schedule_its_config_describes()
    {
        // 6 steps, W = 2, η_max = 1e-2, η_min = 1e-3: 0.005, 0.01, then 0.001 + 0.0045·(1 + cos(π·(s − 2)/4)).
        var training = new TrainingConfig { BatchSize = 2, MaxSteps = 6, LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 2, EvalInterval = 100, LogInterval = 1 };
        var rates = LearningRatesOfARun(training);
        double[] expected = [0.005, 0.01, 0.01, 0.001 + 0.0045 * (1 + Math.Sqrt(0.5)), 0.0055, 0.001 + 0.0045 * (1 - Math.Sqrt(0.5))];
        AssertRates(expected, rates);
    }

    [Theory]
    [InlineData(100, 0.2, 20)]
    [InlineData(10, 0.25, 3)]             // 2.5 rounds away from zero (banker's rounding would give 2)
    [InlineData(10, 0.34, 3)]             // 3.4 → 3
    [InlineData(10, 0.36, 4)]             // 3.6 → 4
    [InlineData(3, 0.1, 1)]               // 0.3 rounds to 0: at least one cooldown step
    public void Wsd_cooldown_length_is_the_fraction_of_the_run_rounded_half_away_from_zero_and_at_least_one_step(int totalSteps, double fraction, int expected)
    {
        Assert.Equal(expected, new TrainingConfig { CooldownFraction = fraction }.CooldownSteps(totalSteps));
        var schedule = LearningRateSchedule.For(new TrainingConfig { Schedule = LearningRateSchedule.Wsd, CooldownFraction = fraction, MaxSteps = totalSteps }, totalSteps);
        Assert.Equal(expected, schedule.CooldownSteps);
        Assert.Equal(totalSteps - expected, schedule.CooldownStart);
    }

    [Fact]
    public void The_trainer_follows_the_wsd_schedule_its_config_describes()
    {
        // 10 steps, W = 2, cooldown_fraction 0.3 → C = 3 steps from S − C = 7; η_max = 1e-2, η_min = 1e-3:
        // 0.005, 0.01 (warm-up), 0.01 × 5 (stable, and the first cooldown step), then 0.01 − 0.009·sqrt((s − 7)/3).
        var training = new TrainingConfig
        {
            BatchSize = 2, MaxSteps = 10, LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 2, EvalInterval = 100, LogInterval = 1,
            Schedule = LearningRateSchedule.Wsd, CooldownFraction = 0.3,
        };
        var rates = LearningRatesOfARun(training);
        double[] expected = [0.005, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01 - 0.009 * Math.Sqrt(1 / 3.0), 0.01 - 0.009 * Math.Sqrt(2 / 3.0)];
        AssertRates(expected, rates);
    }
}
