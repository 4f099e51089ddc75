using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using Harness.Config;

namespace Harness.Tests.Training;

public class WsdScheduleTests
{
    static readonly TrainingConfig Wsd = new()
    {
        LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 10, Schedule = "wsd", CooldownFraction = 0.2, MaxSteps = 100,
    };

    [Fact]
    public void Wsd_warms_up_holds_the_peak_then_cools_down_with_one_minus_sqrt_to_the_floor()
    {
        var s = LearningRateSchedule.For(Wsd, 100);
        Assert.Equal(20, s.CooldownSteps);
        Assert.Equal(80, s.CooldownStart);
        // Warm-up: linear, reaching the peak at its last step.
        Assert.Equal(1e-3, s.At(0), 15);
        Assert.Equal(5e-3, s.At(4), 15);
        Assert.Equal(1e-2, s.At(9), 15);
        // Stable: exactly the peak, up to and including the first cooldown step.
        Assert.All(Enumerable.Range(10, 71), step => Assert.Equal(1e-2, s.At(step)));
        // Cooldown: η_min + (η_max − η_min)(1 − sqrt((s − 80)/20)).
        Assert.Equal(1e-3 + 9e-3 * (1 - Math.Sqrt(5 / 20.0)), s.At(85), 15);
        Assert.Equal(1e-3 + 9e-3 * (1 - Math.Sqrt(0.5)), s.At(90), 15);
        Assert.Equal(1e-3 + 9e-3 * (1 - Math.Sqrt(19 / 20.0)), s.At(99), 15);
        Assert.Equal(1e-3, s.At(100));
        // Monotone non-increasing through the cooldown.
        Assert.All(Enumerable.Range(80, 20), step => Assert.True(s.At(step + 1) <= s.At(step)));
    }

    [Fact]
    public void The_trunk_schedule_equals_every_wsd_run_before_its_cooldown()
    {
        var trunk = LearningRateSchedule.Trunk(Wsd, 400);
        foreach (var steps in new[] { 50, 100, 500 })
        {
            var run = LearningRateSchedule.For(Wsd, steps);
            Assert.All(Enumerable.Range(0, run.CooldownStart), step => Assert.Equal(run.At(step), trunk.At(step)));
        }
        Assert.Equal(1e-2, trunk.At(399));
    }

    [Fact]
    public void Cosine_is_the_default_and_unchanged()
    {
        var config = new TrainingConfig { LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 10, MaxSteps = 110 };
        var s = LearningRateSchedule.For(config, 110);
        Assert.Equal(LearningRateSchedule.Cosine, s.Shape);
        Assert.Equal(1e-2, s.At(10), 15);
        Assert.Equal(1e-3 + 0.5 * 9e-3 * (1 + Math.Cos(Math.PI * 0.5)), s.At(60), 15);
        Assert.Equal(1e-3, s.At(110));
    }

    [Fact]
    public void Schedule_settings_are_validated()
    {
        var bad = new TrainingConfig { MaxSteps = 10, Schedule = "linear" }.Validate("$.training");
        Assert.Contains(bad, p => p.Contains("$.training.schedule") && p.Contains("linear") && p.Contains("cosine, wsd"));
        var orphan = new TrainingConfig { MaxSteps = 10, CooldownFraction = 0.2 }.Validate("$.training");
        Assert.Contains(orphan, p => p.Contains("$.training.cooldown_fraction") && p.Contains("only used with"));
        var range = new TrainingConfig { MaxSteps = 10, Schedule = "wsd", CooldownFraction = 1.5 }.Validate("$.training");
        Assert.Contains(range, p => p.Contains("$.training.cooldown_fraction") && p.Contains("1.5") && p.Contains("(0, 1)"));
        Assert.Empty(Wsd.Validate("$.training"));
    }

    static (Trainer Trainer, Gpt Model) Make(TrainingConfig training, LearningRateSchedule? schedule = null)
    {
        torch.manual_seed(3);
        var config = TestSupport.TinyModel();
        var model = new Gpt(config);
        var trainer = new Trainer(model, training, new BatchSampler(TestSupport.PatternStream(4000, config.VocabSize, 1), training.BatchSize, config.ContextLength, training.Seed),
            new LossEvaluator(TestSupport.PatternStream(1000, config.VocabSize, 2), TestSupport.UnitByteLengths(config.VocabSize), config.ContextLength, 512),
            new CrossEntropyObjective(), torch.CPU, schedule);
        return (trainer, model);
    }

    static float[][] Weights(Gpt model) => model.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Fact]
    public void A_branch_forked_from_a_longer_trunk_is_bit_identical_to_an_uninterrupted_wsd_run()
    {
        using var tmp1 = new TempDirectory();
        using var tmp2 = new TempDirectory();
        // 30 steps, cooldown 6 (20%): the branch forks at step 24 from a trunk that runs on to step 40.
        var run = new TrainingConfig
        {
            BatchSize = 8, MaxSteps = 30, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 5, EvalInterval = 5, LogInterval = 1, Seed = 4,
            Schedule = "wsd", CooldownFraction = 0.2,
        };
        var (straightTrainer, straightModel) = Make(run);
        var straight = straightTrainer.Run();
        var expected = Weights(straightModel);
        straightModel.Dispose();

        var forks = tmp1.Path;
        var (trunkTrainer, trunkModel) = Make(run with { MaxSteps = 40 }, LearningRateSchedule.Trunk(run, 40));
        var trunk = trunkTrainer.Run(snapshots: new Dictionary<int, string> { [24] = Path.Combine(forks, "24") });
        trunkModel.Dispose();
        // Up to the fork the trunk is the same run.
        Assert.Equal(straight.Curve.Where(p => p.Step <= 24).Select(p => p.ValLoss), trunk.Curve.Where(p => p.Step <= 24).Select(p => p.ValLoss));
        Assert.NotEqual(straight.Curve.Single(p => p.Step == 30).ValLoss, trunk.Curve.Single(p => p.Step == 30).ValLoss);

        var (branchTrainer, branchModel) = Make(run);
        var branch = branchTrainer.Run(resumeDirectory: tmp2.Path, startFrom: Path.Combine(forks, "24"));
        // The branch's curve is its own (steps after the fork), equal to the straight run's there, bit for bit.
        Assert.Equal([25, 30], branch.Curve.Select(p => p.Step));
        Assert.Equal(straight.Curve.Where(p => p.Step > 24).Select(p => (p.ValLoss, p.ValBitsPerByte, p.IsFinal)),
                     branch.Curve.Select(p => (p.ValLoss, p.ValBitsPerByte, p.IsFinal)));
        Assert.Equal(straight.Tokens, branch.Tokens);
        var actual = Weights(branchModel);
        branchModel.Dispose();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }
}
