using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Harness.Config;
using Harness.IO;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;

namespace Harness.Tests.Modeling;

/// <summary>Llama-family students (README "Llama-style students"): shape, counts, checkpoints, training, resume, export.</summary>
public class LlamaStudentTests
{
    static GptConfig Tiny(int vocab = 64, bool tied = true, int kvHeads = 1) =>
        new GptConfig(vocab, 16, 2, 2, 16, 0.0, tied) { Architecture = GptConfig.LlamaArchitecture, KvHeads = kvHeads };

    public static TheoryData<string> LlamaPresets => new(GptConfig.Presets.Keys.Where(k => GptConfig.Presets[k].IsLlama));

    [Theory]
    [MemberData(nameof(LlamaPresets))]
    public void Preset_parameter_counts_equal_the_modules_numel(string preset)
    {
        var shape = new ModelSpec { Preset = preset }.Resolve(vocabSize: 97);
        Assert.Empty(shape.Validate("$"));
        using var model = StudentModel.Create(shape);
        Assert.IsType<Llama>(model);
        long numel = model.parameters().Sum(p => p.numel());
        Assert.Equal(numel, ModelMath.TotalParams(shape));
        long embedding = 97L * shape.DModel;
        Assert.Equal(numel - embedding - (shape.TieEmbeddings ? 0 : embedding), ModelMath.NonEmbeddingParams(shape));
        Assert.Equal(embedding, ModelMath.EmbeddingParams(shape));
    }

    [Theory]
    [InlineData(4, 4, true, null)]
    [InlineData(4, 2, false, 40)]
    [InlineData(4, 1, true, 24)]
    public void Counts_and_flops_follow_the_llama_formulas_for_gqa_and_swiglu(int heads, int kvHeads, bool tied, int? intermediate)
    {
        var shape = new GptConfig(50, 32, 3, heads, 32, 0.0, tied) { Architecture = "llama", KvHeads = kvHeads, Intermediate = intermediate };
        using var model = StudentModel.Create(shape);
        long c = 32, d = 32 / heads, i = intermediate ?? GptConfig.DefaultIntermediate(32), kv = kvHeads * d;
        // Per block by hand: 2 RMSNorm gains, q and o (C·C each), k and v (C·H_kv·D each), SwiGLU 3·C·I.
        long block = 2 * c + 2 * c * c + 2 * c * kv + 3 * c * i;
        long n = 3 * block + c;
        Assert.Equal(n, ModelMath.NonEmbeddingParams(shape));
        Assert.Equal(model.parameters().Sum(p => p.numel()), ModelMath.TotalParams(shape));
        // Kaplan et al. 2020 Table 1: 2·(N + V·C) + 4·L·T·(H·D) forward, 3× that to train.
        double forward = 2.0 * (n + 50 * c) + 4.0 * 3 * 32 * c;
        Assert.Equal(forward, ModelMath.ForwardFlopsPerToken(shape));
        Assert.Equal(3 * forward, ModelMath.TrainFlopsPerToken(shape));
        Assert.Equal(forward, model.ForwardFlopsPerToken);
    }

    [Fact]
    public void Default_intermediate_is_two_thirds_of_four_c_rounded_up_to_16()
    {
        Assert.Equal(96, GptConfig.DefaultIntermediate(32));    // 8·32/3 = 85.3 → 96
        Assert.Equal(688, GptConfig.DefaultIntermediate(256));  // 682.7 → 688
        Assert.Equal(2048, GptConfig.DefaultIntermediate(768)); // 2048 exactly
    }

    [Fact]
    public void Gpt_shapes_serialise_without_the_llama_fields_and_llama_fields_are_checked()
    {
        var gpt = new ModelSpec { Preset = "nano" }.Resolve(50);
        var json = JsonSerializer.Serialize(gpt, HarnessJson.Options);
        Assert.DoesNotContain("architecture", json);
        Assert.DoesNotContain("kv_heads", json);
        var problems = new ModelSpec { Preset = "micro", KvHeads = 3, Architecture = "llama", Dropout = 0.1, RopeTheta = 0.5 }.Validate("$.students.s");
        Assert.Contains(problems, p => p.StartsWith("$.students.s.kv_heads: value 3 must be a positive divisor of heads (4)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.students.s.dropout: value 0.1 must be 0 for a Llama-family model", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.students.s.rope_theta: value 0.5", StringComparison.Ordinal));
        Assert.Contains(new ModelSpec { Preset = "micro", KvHeads = 2 }.Validate("$.s"), p => p.Contains("kv_heads: is a Llama-family field", StringComparison.Ordinal));
        Assert.Contains(new ModelSpec { Preset = "micro", Architecture = "mamba" }.Validate("$.s"), p => p.Contains("valid: gpt2, llama", StringComparison.Ordinal));
    }

    [Fact]
    public void Checkpoint_round_trips_with_transformers_names_and_the_gpt_loader_refuses_it()
    {
        torch.manual_seed(5);
        var shape = Tiny(tied: false);
        var dir = Path.Combine(TestSupport.TempDirectory(), "ckpt");
        using var model = StudentModel.Create(shape);
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = shape });
        var (loaded, info) = Checkpoint.LoadModel(dir);
        using (loaded)
        {
            Assert.True(info.Model.IsLlama);
            Assert.Contains(loaded.named_parameters(), p => p.name == "model.layers.1.self_attn.k_proj.weight");
            using var x = torch.tensor(new long[] { 1, 5, 9, 3 }, [1, 4]);
            model.eval();
            loaded.eval();
            using var _ = torch.no_grad();
            using var a = model.call(x);
            using var b = loaded.call(x);
            Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        }
        var e = Assert.Throws<UserInputException>(() => Checkpoint.Load(dir));
        Assert.Contains("Llama-family checkpoint", e.Message);
    }

    static (TrainingResult Result, List<double> Losses) Train(int steps, string? resumeDir = null, CancellationToken ct = default, int checkpointInterval = 0, Action<TrainingProgress>? onProgress = null)
    {
        torch.manual_seed(4);
        var shape = Tiny();
        using var model = StudentModel.Create(shape);
        var training = new TrainingConfig { BatchSize = 8, MaxSteps = steps, LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 5, EvalInterval = 10, LogInterval = 1, Seed = 4, CheckpointInterval = checkpointInterval };
        var trainer = new Trainer(model, training, new BatchSampler(TestSupport.PatternStream(4000, 64, seed: 1), 8, 16, 4),
            new LossEvaluator(TestSupport.PatternStream(1000, 64, seed: 2), TestSupport.UnitByteLengths(64), 16, 512), new CrossEntropyObjective(), torch.CPU);
        var losses = new List<double>();
        var result = trainer.Run(resumeDir, new CallbackProgress<TrainingProgress>(p => { losses.Add(p.Loss); onProgress?.Invoke(p); }), cancellation: ct);
        return (result, losses);
    }

    [Fact]
    public void A_llama_student_learns_and_an_interrupted_run_resumes_to_the_same_curve()
    {
        var (uninterrupted, losses) = Train(30);
        Assert.True(losses[^1] < losses[0] - 0.3, $"first {losses[0]}, last {losses[^1]}");
        Assert.True(uninterrupted.Curve[^1].ValLoss < uninterrupted.Curve[0].ValLoss);
        var dir = TestSupport.TempDirectory();
        using var cts = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Train(30, dir, cts.Token, checkpointInterval: 10, onProgress: _ => { if (++seen == 23) cts.Cancel(); }));
        var resumed = Train(30, dir, checkpointInterval: 10).Result;
        Assert.True(resumed.Resumed);
        Assert.Equal(uninterrupted.Curve.Select(p => p.ValLoss), resumed.Curve.Select(p => p.ValLoss));
    }

    [TorchPythonTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hf_export_is_a_LlamaForCausalLM_the_independent_pytorch_forward_reproduces(bool tied)
    {
        torch.manual_seed(11);
        var shape = Tiny(vocab: 40, tied: tied, kvHeads: 1) with { RopeTheta = 50_000 };
        var dir = TestSupport.TempDirectory();
        using var model = StudentModel.Create(shape);
        Checkpoint.Save(model, Path.Combine(dir, "ckpt"), new CheckpointInfo { Model = shape });
        HuggingFaceExport.Write(Path.Combine(dir, "ckpt"), Path.Combine(dir, "hf"));
        var config = File.ReadAllText(Path.Combine(dir, "hf", "config.json"));
        Assert.Contains("\"LlamaForCausalLM\"", config);
        int[] tokens = [3, 17, 5, 39, 0, 12, 7];
        model.eval();
        float[] expected;
        using (torch.no_grad())
        using (var logits = model.call(torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length])))
            expected = logits.data<float>().ToArray();
        var script = Path.Combine(Cli.CliTests.RepositoryRoot(), "tests", "tools", "hf_llama_reference.py");
        var psi = new ProcessStartInfo(PythonTheoryAttribute.Python, [script, "--forward", Path.Combine(dir, "hf"), .. tokens.Select(t => t.ToString(CultureInfo.InvariantCulture))])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error.Result);
        var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double maxDelta = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Console.WriteLine($"LLAMA-STUDENT-EXPORT | tied {tied} | max|Δlogit| {maxDelta:E2}");
        Assert.True(maxDelta <= 1e-4, $"max |Δlogit| = {maxDelta:E3} > 1e-4");
    }
}
