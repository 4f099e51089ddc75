using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using Harness.IO;

namespace Harness.Tests.Training;

public class TrainerTests
{
    static (TrainingResult Result, List<TrainingProgress> Progress) Train(int seed, int steps, string? resumeDir = null, CancellationToken ct = default, int checkpointInterval = 0)
    {
        torch.manual_seed(seed);
        var config = TestSupport.TinyModel();
        var tokens = TestSupport.PatternStream(4000, config.VocabSize, seed: 1);
        var validation = TestSupport.PatternStream(1000, config.VocabSize, seed: 2);
        using var model = new Gpt(config);
        var training = new TrainingConfig { BatchSize = 8, MaxSteps = steps, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 5, EvalInterval = 10, LogInterval = 1, Seed = seed, CheckpointInterval = checkpointInterval };
        var trainer = new Trainer(model, training, new BatchSampler(tokens, training.BatchSize, config.ContextLength, seed),
            new LossEvaluator(validation, TestSupport.UnitByteLengths(config.VocabSize), config.ContextLength, 512), new CrossEntropyObjective(), torch.CPU);
        var progress = new List<TrainingProgress>();
        var result = trainer.Run(resumeDir, new CallbackProgress<TrainingProgress>(progress.Add), cancellation: ct);
        return (result, progress);
    }

    [Fact]
    public void Loss_decreases_on_a_learnable_stream()
    {
        var (result, progress) = Train(seed: 1, steps: 60);
        Assert.True(progress[^1].Loss < progress[0].Loss - 0.5, $"first {progress[0].Loss}, last {progress[^1].Loss}");
        Assert.True(result.Curve[^1].ValLoss < result.Curve[0].ValLoss);
        Assert.True(result.Curve[^1].IsFinal);
        Assert.Equal(60 * 8 * 16, result.Tokens);
    }

    [Fact]
    public void Same_seed_gives_identical_losses_on_cpu()
    {
        var a = Train(seed: 7, steps: 15).Progress.Select(p => p.Loss).ToArray();
        var b = Train(seed: 7, steps: 15).Progress.Select(p => p.Loss).ToArray();
        var c = Train(seed: 8, steps: 15).Progress.Select(p => p.Loss).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Interrupted_run_resumes_to_the_same_curve()
    {
        using var tmp = new TempDirectory();
        var uninterrupted = Train(seed: 4, steps: 30).Result;
        var dir = tmp.Path;
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var progress = new CallbackProgress<TrainingProgress>(_ => { if (++seen == 23) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            torch.manual_seed(4);
            var config = TestSupport.TinyModel();
            using var model = new Gpt(config);
            var training = new TrainingConfig { BatchSize = 8, MaxSteps = 30, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 5, EvalInterval = 10, LogInterval = 1, Seed = 4, CheckpointInterval = 10 };
            new Trainer(model, training, new BatchSampler(TestSupport.PatternStream(4000, 64, 1), 8, 16, 4),
                new LossEvaluator(TestSupport.PatternStream(1000, 64, 2), TestSupport.UnitByteLengths(64), 16, 512), new CrossEntropyObjective(), torch.CPU)
                .Run(dir, progress, cancellation: cts.Token);
        });
        var resumed = Train(seed: 4, steps: 30, resumeDir: dir, checkpointInterval: 10).Result;
        Assert.True(resumed.Resumed);
        Assert.Equal(uninterrupted.Curve.Select(p => p.ValLoss), resumed.Curve.Select(p => p.ValLoss));
    }
}
