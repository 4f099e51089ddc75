using Harness.Config;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Tests.Distillation;

/// <summary><c>kd.targets</c> (README "KD targets"): the sampled target is unbiased for the dense gradient, top-k is not.</summary>
public class KdTargetsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Vocab = 64;
    const int Draws = 20000;
    const int SamplesPerPosition = 8;
    const int K = 4;

    /// <summary>Per-row gradient of a per-row-mean loss w.r.t. student logits (R, V): autograd, times R.</summary>
    static Tensor RowGradients(Tensor studentLogits, Func<Tensor, Tensor> loss)
    {
        var leaf = studentLogits.detach().clone().requires_grad_(true);
        var value = loss(F.log_softmax(leaf, -1));
        value.backward();
        return leaf.grad!.Times(leaf.shape[0]).detach();
    }

    [Fact]
    public void Sampled_target_gradient_matches_dense_in_expectation_and_top_k_is_biased()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7, CPU);
        var teacherLogits = randn([1, Vocab], generator: generator).Times(2.0);                 // a peaked teacher with a non-uniform tail
        var teacher = F.log_softmax(teacherLogits, -1).expand(Draws, Vocab).contiguous();      // (R, V): one row per draw
        var student = randn([1, Vocab], generator: generator).expand(Draws, Vocab).contiguous();

        var dense = RowGradients(student, s => Divergence.Mean(DivergenceKind.ForwardKl, teacher, s))[0];          // (V)
        var expected = F.softmax(student[0], -1).Minus(teacher[0].exp());                    // softmax(s) − p
        Assert.True(dense.allclose(expected, rtol: 0, atol: 1e-5), "the dense forward-KL gradient is softmax(s) − p");

        using var draws = new Generator(11, CPU);
        var sampled = SampledDistribution.Draw(teacher, SamplesPerPosition, draws);
        var perDraw = RowGradients(student, s => Divergence.Mean(DivergenceKind.ForwardKl, sampled, s));           // (R, V)
        var mean = perDraw.mean([0]);
        var standardError = perDraw.std([0]).DividedBy(Math.Sqrt(Draws));
        double tolerance = 4 * standardError.max().item<float>();
        double sampledError = mean.Minus(dense).abs().max().item<float>();

        var (topValues, topIds) = teacher[..1].topk(K, dim: -1);
        var topK = TopKDistribution.FromTopK(topIds, topValues, Vocab, 1.0);
        var topKGradient = RowGradients(student[..1], s => Divergence.Mean(DivergenceKind.ForwardKl, topK, s))[0];
        double topKError = topKGradient.Minus(dense).abs().max().item<float>();

        output.WriteLine($"V={Vocab}, draws={Draws}, n={SamplesPerPosition}, k={K}: tolerance 4·max SE = {tolerance:G4}; " +
                         $"max |E[g_sampled] − g_dense| = {sampledError:G4}; max |g_top-k − g_dense| = {topKError:G4}");
        Assert.True(sampledError < tolerance, $"sampled gradient mean differs from dense by {sampledError} ≥ tolerance {tolerance}");
        Assert.True(topKError > tolerance, $"top-k's bias {topKError} is not visible above tolerance {tolerance}");
        // Each draw's target is a distribution: weights sum to 1 per row and sit on sampled ids only.
        Assert.True(sampled.Dense(Vocab).sum(-1).allclose(ones(Draws), rtol: 0, atol: 1e-5));
    }

    sealed class FixedTeacher(Tensor logProbs) : ITeacherSignal
    {
        public Tensor LogProbs(TrainingBatch batch, double temperature) => F.log_softmax(logProbs.DividedBy(temperature), -1);
        public double OnlineFlopsPerToken => 0;
    }

    [Fact]
    public void Sampled_teacher_is_seeded_and_tempered()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3, CPU);
        var logProbs = F.log_softmax(randn([2, 5, Vocab], generator: generator).Times(3.0), -1);
        var batch = new TrainingBatch(zeros([2, 5], ScalarType.Int64), zeros([2, 5], ScalarType.Int64), [0, 5], 0);
        long[] Ids(int seed, double temperature) => new SampledTeacher(new FixedTeacher(logProbs), 16, seed).Sampled(batch, temperature).Ids.data<long>().ToArray();
        Assert.Equal(Ids(1, 1.0), Ids(1, 1.0));        // same seed, same draws
        Assert.NotEqual(Ids(1, 1.0), Ids(2, 1.0));     // another seed, other draws
        var sampled = new SampledTeacher(new FixedTeacher(logProbs), 16, 0).Sampled(batch, 2.0);
        Assert.Equal(new long[] { 2, 5, 16 }, sampled.Ids.shape);
        Assert.True(sampled.Weights.sum(-1).allclose(ones(2, 5), rtol: 0, atol: 1e-5));
    }

    static IReadOnlyList<string> Problems(KdSpec kd)
    {
        var config = new ExperimentConfig { Kd = kd };
        return [.. config.Validate("$"), .. Harness.Pipelines.ExperimentValidator.StageProblems(config, "$")];
    }

    [Fact]
    public void Kd_targets_config_is_validated()
    {
        var unknown = Problems(new KdSpec { Targets = "topk" });
        Assert.Contains(unknown, p => p.Contains("$.kd.targets") && p.Contains("\"topk\"") && p.Contains("top_k, dense, sampled"));
        Assert.Contains(Problems(new KdSpec { Targets = "dense" }), p => p.Contains("$.kd.targets") && p.Contains("kd.cache: false"));
        Assert.DoesNotContain(Problems(new KdSpec { Targets = "dense", Cache = false }), p => p.Contains("kd.targets"));
        Assert.Contains(Problems(new KdSpec { Targets = "sampled", Cache = false, Divergence = "reverse-kl" }), p => p.Contains("$.kd.divergence") && p.Contains("forward-kl"));
        Assert.Contains(Problems(new KdSpec { Targets = "sampled", Cache = false, Samples = 0 }), p => p.Contains("$.kd.samples") && p.Contains("positive"));
        Assert.Contains(Problems(new KdSpec { Samples = 8 }), p => p.Contains("$.kd.samples") && p.Contains("kd.targets: sampled"));
        Assert.DoesNotContain(Problems(new KdSpec { Targets = "sampled", Cache = false, Samples = 8 }), p => p.Contains("kd."));
        Assert.DoesNotContain(Problems(new KdSpec()), p => p.Contains("kd."));
    }

    [Fact]
    public void Default_targets_keep_the_method_key_and_other_targets_change_it()
    {
        var method = new Harness.Distillation.Methods.LogitKdMethod();
        var config = new ExperimentConfig();
        string Key(KdSpec kd) => Harness.Sweep.SweepPlan.Hash(method.Identity(config with { Kd = kd }, "t"));
        Assert.Equal(Key(new KdSpec()), Key(new KdSpec { Targets = "top_k" }));
        // Unset keys are not serialised, so the default key is the one from before kd.targets existed.
        var json = System.Text.Json.JsonSerializer.Serialize(method.Identity(config, "t"), Harness.IO.HarnessJson.Options);
        Assert.DoesNotContain("targets", json);
        Assert.DoesNotContain("samples", json);
        Assert.NotEqual(Key(new KdSpec()), Key(new KdSpec { Targets = "sampled", Cache = false }));
        Assert.NotEqual(Key(new KdSpec { Targets = "dense", Cache = false }), Key(new KdSpec { Targets = "sampled", Cache = false }));
    }

    [Theory]
    [InlineData("sampled", typeof(SampledTeacher))]
    [InlineData("dense", typeof(OnlineTeacher))]
    public void Logit_kd_method_serves_the_configured_target(string targets, Type signal)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        var tiny = TestSupport.TinyModel(vocab: 32);
        using var teacher = new Gpt(tiny with { DModel = 32 });
        var config = new ExperimentConfig { Kd = new KdSpec { Targets = targets, Cache = false } };
        var objective = (LogitKdObjective)new Harness.Distillation.Methods.LogitKdMethod()
            .Objective(new Harness.Distillation.Methods.MethodInputs(config, 32, [], teacher, 0, Seed: 9));
        Assert.IsType(signal, objective.Teacher);
        var x = randint(0, 32, [2, tiny.ContextLength], dtype: ScalarType.Int64);
        var batch = new TrainingBatch(x, x, [0, tiny.ContextLength], 0);
        using var student = new Gpt(tiny);
        var loss = objective.Loss(student.call(x), batch);
        Assert.True(double.IsFinite(loss.item<float>()));
        loss.backward();
    }
}
