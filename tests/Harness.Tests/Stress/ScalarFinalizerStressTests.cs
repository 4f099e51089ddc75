using System.Diagnostics;
using Harness.Distillation;
using Harness.Evaluation;
using Harness.Modeling;
using Harness.Tests.Evaluation;
using Harness.Training;
using TorchSharp;
using Harness.Config;

namespace Harness.Tests.Stress;

/// <summary>
/// The GC thread below makes every other test's TorchSharp code a suspect, so this collection runs alone, after the
/// parallel ones (xunit: a collection with DisableParallelization runs by itself).
/// </summary>
[CollectionDefinition(nameof(GcPressure), DisableParallelization = true)]
public sealed class GcPressure;

/// <summary>
/// TorchSharp Scalars are freed by their finalizer.  A temporary Scalar (implicit number → Scalar, or the alpha = 1 that
/// Tensor.add(Tensor) passes on) has no managed reference left once its native handle has been read, so a GC can free
/// it while libtorch still reads it ("Expected false to be true … toFloat at c10/core/Scalar.h", or a wrong value).
/// These tests run each hot path of the harness for a few seconds while a second thread collects and finalizes in a
/// loop; before the fix they failed within seconds (see README "TorchSharp safety").
/// </summary>
[Collection(nameof(GcPressure))]
public class ScalarFinalizerStressTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(2.5);

    /// <summary>Runs <paramref name="iteration"/> repeatedly for <see cref="Duration"/> under GC pressure; returns the iteration count.</summary>
    int UnderGcPressure(string what, Action iteration)
    {
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true, Name = "gc-pressure" };
        collector.Start();
        var clock = Stopwatch.StartNew();
        int iterations = 0;
        try
        {
            do
            {
                iteration();
                iterations++;
            } while (clock.Elapsed < Duration);
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        output.WriteLine($"{what}: {iterations} iterations, {collections} collections in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(collections > 10, $"the GC thread ran only {collections} collections");
        return iterations;
    }

    static readonly GptConfig Student = TestSupport.TinyModel(vocab: 32);
    static readonly GptConfig TeacherConfig = Student with { DModel = 32 };
    static readonly int[] Stream = TestSupport.PatternStream(3000, 32, seed: 1);
    static readonly int[] Validation = TestSupport.PatternStream(600, 32, seed: 2);

    static Trainer NewTrainer(CausalLm model, ITrainingObjective objective, bool aligned = false, string? precision = null)
    {
        // Weight decay, clipping and accumulation on: every optimiser and trainer path runs.
        var training = new TrainingConfig { BatchSize = 4, GradAccum = 2, MaxSteps = 20, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 3, EvalInterval = 10, LogInterval = 5, WeightDecay = 0.1, GradClip = 1.0, Precision = precision };
        return new Trainer(model, training, new BatchSampler(Stream, training.BatchSize, Student.ContextLength, seed: 3, alignToContext: aligned),
            new LossEvaluator(Validation, TestSupport.UnitByteLengths(32), Student.ContextLength, 128, batchSize: 2), objective, torch.CPU);
    }

    static void AssertFinite(TrainingResult result) =>
        Assert.All(result.Curve, p => Assert.True(double.IsFinite(p.ValLoss), $"val loss {p.ValLoss} at step {p.Step}"));

    [Fact]
    public void Training_from_scratch()
    {
        torch.manual_seed(1);
        using var model = new Gpt(Student);
        UnderGcPressure("scratch", () => AssertFinite(NewTrainer(model, new CrossEntropyObjective()).Run()));
    }

    [Fact]
    public void Training_in_bf16_mixed_precision()
    {
        torch.manual_seed(1);
        using var model = new Gpt(Student);
        UnderGcPressure("bf16-mixed", () => AssertFinite(NewTrainer(model, new CrossEntropyObjective(), precision: TrainingConfig.Bf16MixedPrecision).Run()));
    }

    [Fact]
    public void Training_a_llama_student_in_bf16_mixed_precision()
    {
        torch.manual_seed(1);
        using var model = StudentModel.Create(Student with { Architecture = GptConfig.LlamaArchitecture, KvHeads = 1 });
        UnderGcPressure("llama bf16-mixed", () => AssertFinite(NewTrainer(model, new CrossEntropyObjective(), precision: TrainingConfig.Bf16MixedPrecision).Run()));
    }

    [Fact]
    public void Training_with_online_logit_kd()
    {
        torch.manual_seed(2);
        using var teacher = new Gpt(TeacherConfig);
        using var model = new Gpt(Student);
        var objective = new LogitKdObjective(new OnlineTeacher(teacher), DivergenceKind.ForwardKl, 0.5, 2.0);
        UnderGcPressure("online kd", () => AssertFinite(NewTrainer(model, objective).Run()));
    }

    [Fact]
    public void Training_with_sampled_logit_kd()
    {
        torch.manual_seed(5);
        using var teacher = new Gpt(TeacherConfig);
        using var model = new Gpt(Student);
        using var sampled = new SampledTeacher(new OnlineTeacher(teacher), 8, seed: 1);
        var objective = new LogitKdObjective(sampled, DivergenceKind.ForwardKl, 0.5, 2.0);
        UnderGcPressure("sampled kd", () => AssertFinite(NewTrainer(model, objective).Run()));
    }

    [Theory]
    [InlineData(DivergenceKind.ForwardKl)]
    [InlineData(DivergenceKind.ReverseKl)]
    [InlineData(DivergenceKind.GeneralizedJsd)]
    public void Training_with_cached_logit_kd(DivergenceKind divergence)
    {
        using var tmp = new TempDirectory();
        torch.manual_seed(3);
        using var teacher = new Gpt(TeacherConfig);
        using var model = new Gpt(Student);
        var dir = tmp.Path;
        int round = 0;
        try
        {
            UnderGcPressure($"cached kd {divergence}", () =>
            {
                // A fresh cache file every round, so the fill path runs under pressure too, not only lookups.
                var path = Path.Combine(dir, $"cache-{round++}.bin");
                using (var cache = new TeacherLogitCache(path, teacher, Stream.Length, topK: 8))
                    AssertFinite(NewTrainer(model, new LogitKdObjective(new CachedTeacher(cache, 32), divergence, 0.5, 2.0), aligned: true).Run());
                File.Delete(path);
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Held_out_evaluation()
    {
        torch.manual_seed(4);
        using var model = new Gpt(Student);
        var evaluator = new LossEvaluator(Validation, TestSupport.UnitByteLengths(32), Student.ContextLength, 0, batchSize: 1);
        var expected = evaluator.Evaluate(model);
        UnderGcPressure("held-out evaluation", () => Assert.Equal(expected, evaluator.Evaluate(model)));
    }

    [Fact]
    public void Benchmark_scoring()
    {
        torch.manual_seed(5);
        using var model = new Gpt(new GptConfig(256, 32, 2, 2, 16, Dropout: 0.1));
        var scorer = new GptScorer(model, GptScorerTests.ByteTokenizer(), batchSize: 2);
        var requests = Enumerable.Range(0, 8).Select(i => new LoglikelihoodRequest($"The answer to item {i} is", $" {i * 7}")).ToList();
        var generation = new[] { new GenerationRequest("Once upon a", 6, []), new GenerationRequest("2 + 2 =", 3, ["."]) };
        var expected = scorer.LogLikelihood(requests);
        var expectedText = scorer.GenerateGreedy(generation);
        UnderGcPressure("benchmark scoring", () =>
        {
            Assert.Equal(expected, scorer.LogLikelihood(requests));
            Assert.Equal(expectedText, scorer.GenerateGreedy(generation));
        });
    }

    [Fact]
    public void Seq_kd_sampling()
    {
        torch.manual_seed(6);
        using var teacher = new Gpt(TeacherConfig);
        var expected = SyntheticCorpus.Generate(teacher, Stream, 48, 0.8, 0.9, seed: 7, batchSize: 2);
        UnderGcPressure("seq-kd sampling", () =>
            Assert.Equal(expected.Tokens, SyntheticCorpus.Generate(teacher, Stream, 48, 0.8, 0.9, seed: 7, batchSize: 2).Tokens));
    }

    /// <summary>The imported-model paths: a Llama-family teacher (RoPE, RMSNorm, GQA, SwiGLU) with padding rows dropped,
    /// in float32 and bfloat16, and GPT-2's tanh GELU.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Imported_teacher_forward(bool bf16)
    {
        torch.manual_seed(8);
        using var llama = new Llama(new LlamaConfig(40, 32, 2, 4, 2, 16, 4, 24, 1e-5, 500000, new Llama3RopeScaling(8, 1, 4, 8), QkvBias: true));
        if (bf16) llama.ConvertTo(torch.ScalarType.BFloat16);
        using var gpt = new Gpt(new GptConfig(32, 32, 1, 2, 16), tanhGelu: true);
        var x = torch.tensor(Stream.Take(2 * 32).Select(t => (long)t).ToArray(), [2, 32]);
        var batch = new TrainingBatch(x, x, [0, 32], 0);
        var teacher = new OnlineTeacher(llama, vocabularySize: 32);
        float[] expected, expectedGpt;
        using (var lp = teacher.LogProbs(batch, 2.0)) expected = lp.data<float>().ToArray();
        using (torch.no_grad()) using (var g = gpt.call(x)) expectedGpt = g.data<float>().ToArray();
        UnderGcPressure(bf16 ? "imported teacher (bf16)" : "imported teacher (fp32)", () =>
        {
            using (var lp = teacher.LogProbs(batch, 2.0)) Assert.Equal(expected, lp.data<float>().ToArray());
            using (torch.no_grad()) using (var g = gpt.call(x)) Assert.Equal(expectedGpt, g.data<float>().ToArray());
        });
    }
}
