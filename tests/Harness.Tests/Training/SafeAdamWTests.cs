using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using TorchSharp.Modules;
using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Tests.Training;

public class SafeAdamWTests
{
    static readonly TrainingConfig Config = new() { LearningRate = 3e-3, WeightDecay = 0.1, Beta1 = 0.9, Beta2 = 0.95 };

    /// <summary>The same tiny GPT twice (same init), and a fixed batch stream.</summary>
    static (Gpt A, Gpt B) Twins()
    {
        torch.manual_seed(11);
        var a = new Gpt(TestSupport.TinyModel(vocab: 32));
        torch.manual_seed(11);
        var b = new Gpt(TestSupport.TinyModel(vocab: 32));
        return (a, b);
    }

    static readonly BatchSampler Sampler = new(TestSupport.PatternStream(2000, 32, seed: 5), 4, 16, seed: 6);

    static void Backward(Gpt model, int step)
    {
        var (x, y) = Sampler.Batch(Sampler.Starts(step), CPU);
        var logits = model.call(x);
        nn.functional.cross_entropy(logits.view(-1, 32), y.view(-1)).backward();
    }

    static double Lr(int step) => step < 5 ? 3e-3 * (step + 1) / 5 : 3e-3 * (1 - 0.03 * step); // warm-up then decay: the rate changes every step

    static void AssertSameParameters(Gpt a, Gpt b, double tolerance)
    {
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
        {
            double diff = pa.Minus(pb).abs().max().item<float>();
            Assert.True(diff <= tolerance, $"{name}: max |difference| {diff}");
        }
    }

    [Fact]
    public void Matches_torchsharp_adamw_with_two_weight_decay_groups_and_a_changing_learning_rate()
    {
        var (ours, theirs) = Twins();
        using var _a = ours;
        using var _b = theirs;
        using var safe = Trainer.BuildOptimizer(ours, Config);
        // TorchSharp's AdamW with the same two groups the trainer builds (matrices decayed, vectors and wpe not).  It is
        // banned for the harness (its step() passes temporary Scalars), but here it is the reference and runs without GC pressure.
#pragma warning disable RS0030
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (name, p) in theirs.named_parameters())
            (p.dim() >= 2 && !name.StartsWith("wpe", StringComparison.Ordinal) ? decay : noDecay).Add(p);
        using var reference = optim.AdamW(new List<AdamW.ParamGroup>
        {
            new(decay, new AdamW.Options { LearningRate = Config.LearningRate, weight_decay = Config.WeightDecay, beta1 = Config.Beta1, beta2 = Config.Beta2 }),
            new(noDecay, new AdamW.Options { LearningRate = Config.LearningRate, weight_decay = 0, beta1 = Config.Beta1, beta2 = Config.Beta2 }),
        }, Config.LearningRate, Config.Beta1, Config.Beta2, 1e-8, Config.WeightDecay);
        Assert.True(decay.Count > 0 && noDecay.Count > 0);

        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            safe.LearningRate = Lr(step);
            foreach (var g in reference.ParamGroups) g.LearningRate = Lr(step);
            safe.ZeroGrad();
            reference.zero_grad();
            Backward(ours, step);
            Backward(theirs, step);
            safe.Step();
            reference.step();
        }
#pragma warning restore RS0030
        Assert.Equal(25, safe.StepCount);
        // Same operations in the same order: bit-identical on CPU (max difference 0 when written); 1e-7 leaves room for other kernels.
        AssertSameParameters(ours, theirs, 1e-7);
        // And the run moved the weights, so the comparison means something.
        torch.manual_seed(11);
        using var initial = new Gpt(TestSupport.TinyModel(vocab: 32));
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertSameParameters(ours, initial, 1e-3));
    }

    [Fact]
    public void Saved_state_resumes_to_the_same_parameters()
    {
        using var tmp = new TempDirectory();
        var (straight, resumed) = Twins();
        using var _a = straight;
        using var _b = resumed;
        using var first = Trainer.BuildOptimizer(straight, Config);
        void Steps(Gpt model, SafeAdamW optimizer, int from, int to)
        {
            for (int step = from; step < to; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.LearningRate = Lr(step);
                optimizer.ZeroGrad();
                Backward(model, step);
                optimizer.Step();
            }
        }
        Steps(straight, first, 0, 6);
        var path = Path.Combine(tmp.Path, "optimizer.safetensors");
        using (var file = File.Create(path)) first.Save(file);
        using (no_grad())
            foreach (var ((_, target), (_, source)) in resumed.named_parameters().Zip(straight.named_parameters()))
                target.copy_(source);
        Steps(straight, first, 6, 12);

        using var second = Trainer.BuildOptimizer(resumed, Config);
        second.Load(path);
        Assert.Equal(6, second.StepCount);
        Steps(resumed, second, 6, 12);
        AssertSameParameters(straight, resumed, 0);
    }

    [Fact]
    public void Loading_state_of_another_model_lists_every_mismatch()
    {
        using var tmp = new TempDirectory();
        torch.manual_seed(1);
        using var small = new Gpt(TestSupport.TinyModel(vocab: 32));
        using var wide = new Gpt(TestSupport.TinyModel(vocab: 32) with { DModel = 32 });
        using var a = Trainer.BuildOptimizer(small, Config);
        using var b = Trainer.BuildOptimizer(wide, Config);
        var path = Path.Combine(tmp.Path, "optimizer.safetensors");
        using (var file = File.Create(path)) a.Save(file);
        var error = Assert.Throws<UserInputException>(() => b.Load(path));
        Assert.Contains("delete the resume folder", error.Message);
        Assert.Contains(error.Problems, p => p.Contains("wte.weight.exp_avg' has shape [32, 16], the parameter needs [32, 32]"));
    }
}
