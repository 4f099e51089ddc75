using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Tests.Training;

/// <summary>What one optimiser step of <see cref="Trainer"/> does: gradient accumulation, global-norm clipping, weight-decay groups.</summary>
public class OptimisationTests
{
    static readonly int[] TrainStream = TestSupport.PatternStream(4000, 64, seed: 1);
    static readonly int[] ValidationStream = TestSupport.PatternStream(1000, 64, seed: 2);

    static TrainingConfig Config(int batchSize, int gradAccum, int steps, double gradClip) => new()
    {
        BatchSize = batchSize, GradAccum = gradAccum, MaxSteps = steps, GradClip = gradClip, LearningRate = 3e-3, MinLearningRate = 3e-4,
        WarmupSteps = 1, WeightDecay = 0.1, EvalInterval = 1000, LogInterval = 1, Seed = 5,
    };

    /// <summary>After each step (the progress report comes after optimizer.Step and before the next zero_grad):
    /// the loss, every parameter and every gradient.</summary>
    sealed record StepState(double Loss, float[][] Parameters, float[][] Gradients)
    {
        public double GradientNorm => Math.Sqrt(Gradients.Sum(g => g.Sum(v => (double)v * v)));
    }

    static float[][] Values(IEnumerable<Tensor> tensors) => tensors.Select(t => t.detach().cpu().data<float>().ToArray()).ToArray();

    static StepState Capture(Gpt model, double loss) =>
        new(loss, Values(model.parameters()), Values(model.parameters().Select(p => p.grad!)));

    static List<StepState> TrainWithTrainer(TrainingConfig training)
    {
        torch.manual_seed(21);
        var shape = TestSupport.TinyModel();
        using var model = new Gpt(shape);
        var states = new List<StepState>();
        new Trainer(model, training, new BatchSampler(TrainStream, training.BatchSize, shape.ContextLength, training.Seed),
                new LossEvaluator(ValidationStream, TestSupport.UnitByteLengths(shape.VocabSize), shape.ContextLength, 256), new CrossEntropyObjective(), CPU)
            .Run(progress: new CallbackProgress<TrainingProgress>(p => states.Add(Capture(model, p.Loss))));
        return states;
    }

    static void AssertClose(float[][] expected, float[][] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                worst = Math.Max(worst, Math.Abs(expected[i][j] - actual[i][j]));
        Assert.True(worst <= tolerance, $"{what}: largest difference {worst:G3} > {tolerance:G3}");
    }

    [Fact]
    public void Two_accumulated_micro_batches_of_B_over_2_equal_one_batch_of_B_of_the_same_windows()
    {
        // grad_accum 2 at batch 4 must be the step of one batch of 8 holding both micro-batches' windows: the
        // accumulated gradient is the mean over all 8 windows (each micro-batch's loss is divided by grad_accum), so
        // loss, gradient and the AdamW update agree to float32 rounding.  Three steps, so later ones use both moments.
        const int steps = 3;
        var accumulated = Config(batchSize: 4, gradAccum: 2, steps: steps, gradClip: 0);
        var actual = TrainWithTrainer(accumulated);

        // The reference: the same model and optimiser, one batch of 8 per step, built from micro-batches 2s and 2s+1.
        torch.manual_seed(21);
        var shape = TestSupport.TinyModel();
        using var model = new Gpt(shape);
        using var optimizer = Trainer.BuildOptimizer(model, accumulated);
        var sampler = new BatchSampler(TrainStream, 4, shape.ContextLength, accumulated.Seed);
        var schedule = LearningRateSchedule.For(accumulated, steps);
        model.train();
        var expected = new List<StepState>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var starts = sampler.Starts(2 * step).Concat(sampler.Starts(2 * step + 1)).ToArray();
            var (x, y) = sampler.Batch(starts, CPU);
            var loss = new CrossEntropyObjective().Loss(model.call(x), new TrainingBatch(x, y, starts, step));
            loss.backward();
            optimizer.LearningRate = schedule.At(step);
            optimizer.Step();
            expected.Add(Capture(model, loss.item<float>()));
        }

        Assert.Equal(steps, actual.Count);
        for (int step = 0; step < steps; step++)
        {
            Assert.Equal(expected[step].Loss, actual[step].Loss, 5);
            AssertClose(expected[step].Gradients, actual[step].Gradients, 1e-6, $"step {step + 1} gradients");
            AssertClose(expected[step].Parameters, actual[step].Parameters, 1e-6, $"step {step + 1} parameters");
        }
        // Not vacuous: a single micro-batch of 4 is a different gradient.
        var half = TrainWithTrainer(Config(batchSize: 4, gradAccum: 1, steps: 1, gradClip: 0));
        Assert.True(Math.Abs(half[0].GradientNorm - actual[0].GradientNorm) > 1e-3 * actual[0].GradientNorm);
    }

    [Fact]
    public void Global_norm_clipping_scales_the_gradient_to_the_clip_value_when_above_and_leaves_it_alone_below()
    {
        var raw = TrainWithTrainer(Config(batchSize: 4, gradAccum: 1, steps: 1, gradClip: 0)).Single();
        double norm = raw.GradientNorm;
        Assert.True(norm > 0.01, $"gradient norm {norm}");

        // Above the clip: g ← g · c / (‖g‖ + 1e-6) (torch.nn.utils.clip_grad_norm_), so ‖g‖ becomes c, direction kept.
        double clip = norm / 4;
        var clipped = TrainWithTrainer(Config(batchSize: 4, gradAccum: 1, steps: 1, gradClip: clip)).Single();
        Assert.Equal(clip, clipped.GradientNorm, clip * 1e-5);
        var scaled = raw.Gradients.Select(g => g.Select(v => (float)(v * clip / norm)).ToArray()).ToArray();
        AssertClose(scaled, clipped.Gradients, 1e-6 * norm, "clipped gradient vs raw gradient · c/‖g‖");

        // Below the clip: untouched, bit for bit.
        var untouched = TrainWithTrainer(Config(batchSize: 4, gradAccum: 1, steps: 1, gradClip: norm * 4)).Single();
        AssertClose(raw.Gradients, untouched.Gradients, 0, "gradient under the clip value");
        AssertClose(raw.Parameters, untouched.Parameters, 0, "parameters under the clip value");
    }

    /// <summary>Every parameter's name → whether one step with a zero gradient shrank it by (1 − lr·λ).  With g = 0
    /// AdamW's moment update is 0, so decoupled weight decay is the only change (Loshchilov &amp; Hutter 2019).</summary>
    static Dictionary<string, bool> DecayedAfterOneZeroGradientStep(bool tiedEmbeddings)
    {
        torch.manual_seed(4);
        using var model = new Gpt(TestSupport.TinyModel(tied: tiedEmbeddings));
        const double lr = 0.5, weightDecay = 0.1;                                  // factor 1 − 0.05 = 0.95
        using var optimizer = Trainer.BuildOptimizer(model, new TrainingConfig { LearningRate = lr, WeightDecay = weightDecay, MaxSteps = 1 });
        using (no_grad())
            foreach (var (_, p) in model.named_parameters())
            {
                using var values = rand_like(p).PlusScalar(0.5);                    // in [0.5, 1.5): biases start at 0, where decay is invisible
                p.copy_(values);
            }
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().data<float>().ToArray());
        foreach (var (_, p) in model.named_parameters()) p.grad = zeros_like(p);
        optimizer.LearningRate = lr;
        optimizer.Step();
        var decayed = new Dictionary<string, bool>();
        foreach (var (name, p) in model.named_parameters())
        {
            var after = p.detach().data<float>().ToArray();
            bool shrunk = after.Zip(before[name]).All(v => Math.Abs(v.First - v.Second * (1 - lr * weightDecay)) <= 1e-6);
            bool same = after.SequenceEqual(before[name]);
            Assert.True(shrunk ^ same, $"{name}: neither decayed by exactly 0.95 nor unchanged");
            decayed[name] = shrunk;
        }
        return decayed;
    }

    [Fact]
    public void Weight_decay_applies_to_matrices_only_not_to_biases_layer_norms_or_the_position_table()
    {
        // Trainer.BuildOptimizer's rule: a parameter with ≥ 2 dimensions decays unless it is the position table wpe, so the
        // token embedding (the tied head's matmul weight too), the attention and MLP projections and an untied head decay;
        // the 1-D biases and LayerNorm gains and biases do not, nor does wpe.  (nanoGPT decays wpe as well; minGPT decays
        // neither embedding.)
        string[] Matrices(int block) =>
            [$"h.{block}.attn.c_attn.weight", $"h.{block}.attn.c_proj.weight", $"h.{block}.mlp.c_fc.weight", $"h.{block}.mlp.c_proj.weight"];
        string[] tiedDecayed = ["wte.weight", .. Matrices(0), .. Matrices(1)];

        var tied = DecayedAfterOneZeroGradientStep(tiedEmbeddings: true);
        Assert.Equal(tiedDecayed.Order(), tied.Where(p => p.Value).Select(p => p.Key).Order());
        Assert.Contains("wpe.weight", tied.Keys);
        Assert.Contains("ln_f.weight", tied.Keys);
        Assert.Contains("h.0.attn.c_attn.bias", tied.Keys);
        Assert.Equal(TestSupport.TinyModel().Layers * 8 + 3, tied.Count(p => !p.Value));   // per block: ln_1, ln_2 (w, b), 4 biases; + wpe, ln_f (w, b)

        var untied = DecayedAfterOneZeroGradientStep(tiedEmbeddings: false);
        Assert.Equal(tiedDecayed.Append("lm_head.weight").Order(), untied.Where(p => p.Value).Select(p => p.Key).Order());
    }
}
