using Harness.Config;
using Harness.IO;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;

namespace Harness.Tests.Training;

/// <summary>README "Mixed precision": bf16 compute with fp32 master weights and AdamW state tracks fp32 training.</summary>
public class MixedPrecisionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Stated tolerance: over 50 steps on a tiny model the logged training losses of bf16-mixed stay within
    /// 0.01 nats of fp32's, and the final validation loss within 0.01 nats (measured: 0.0008 and < 0.0001 for both architectures).</summary>
    const double StepTolerance = 0.01, FinalTolerance = 0.01;

    static (List<double> Losses, double FinalVal, CausalLm Model) Train(GptConfig shape, string? precision)
    {
        torch.manual_seed(3);
        var model = StudentModel.Create(shape);
        var training = new TrainingConfig { BatchSize = 8, GradAccum = 2, MaxSteps = 50, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 5,
                                            EvalInterval = 25, LogInterval = 1, Seed = 3, Precision = precision };
        var trainer = new Trainer(model, training, new BatchSampler(TestSupport.PatternStream(4000, shape.VocabSize, seed: 1), 8, shape.ContextLength, 3),
            new LossEvaluator(TestSupport.PatternStream(1000, shape.VocabSize, seed: 2), TestSupport.UnitByteLengths(shape.VocabSize), shape.ContextLength, 512),
            new CrossEntropyObjective(), torch.CPU);
        var losses = new List<double>();
        var result = trainer.Run(progress: new CallbackProgress<TrainingProgress>(p => losses.Add(p.Loss)));
        return (losses, result.Curve[^1].ValLoss, model);
    }

    public static TheoryData<string> Architectures => new() { GptConfig.Gpt2Architecture, GptConfig.LlamaArchitecture };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Bf16_mixed_losses_track_fp32_over_50_steps_and_the_master_weights_stay_fp32(string architecture)
    {
        var shape = TestSupport.TinyModel() with { Architecture = architecture == GptConfig.LlamaArchitecture ? architecture : null };
        var (fp32, fp32Val, a) = Train(shape, null);
        var (bf16, bf16Val, b) = Train(shape, TrainingConfig.Bf16MixedPrecision);
        using (a)
        using (b)
        {
            Assert.Equal(50, bf16.Count);
            double maxDelta = fp32.Zip(bf16, (x, y) => Math.Abs(x - y)).Max();
            output.WriteLine($"MIXED-PRECISION | {architecture} | max |Δ train loss| {maxDelta:F4} | final val fp32 {fp32Val:F4} bf16-mixed {bf16Val:F4}");
            Assert.True(maxDelta <= StepTolerance, $"max |Δ loss| {maxDelta:F4} > {StepTolerance}");
            Assert.True(Math.Abs(fp32Val - bf16Val) <= FinalTolerance, $"final val loss fp32 {fp32Val:F4} vs bf16-mixed {bf16Val:F4}");
            Assert.True(bf16[^1] < bf16[0] - 0.3, $"bf16-mixed did not learn: {bf16[0]:F3} → {bf16[^1]:F3}");
            Assert.All(b.parameters(), p => Assert.Equal(torch.ScalarType.Float32, p.dtype));
            // Not bit-identical: the bf16 rounding is really in the loop.
            Assert.NotEqual(fp32, bf16);
        }
    }

    [Fact]
    public void An_unknown_precision_is_refused_with_the_valid_ones()
    {
        var problems = new TrainingConfig { MaxSteps = 1, Precision = "fp16" }.Validate("$.training");
        Assert.Contains("$.training.precision: value \"fp16\" is not a precision; valid: fp32, bf16-mixed.", problems);
        Assert.DoesNotContain("precision", System.Text.Json.JsonSerializer.Serialize(new TrainingConfig { MaxSteps = 1 }, HarnessJson.Options));
    }
}
