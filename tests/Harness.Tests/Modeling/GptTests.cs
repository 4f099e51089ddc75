using Harness.Modeling;
using TorchSharp;
using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Tests.Modeling;

public class GptTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Analytic_parameter_count_equals_module_numel(bool tied)
    {
        var config = new GptConfig(97, 24, 3, 4, 32, 0, tied);
        using var model = new Gpt(config);
        long numel = model.parameters().Sum(p => p.numel());
        Assert.Equal(ModelMath.TotalParams(config), numel);
        long embeddings = model.named_parameters().Where(p => p.name is "wte.weight" or "wpe.weight").Sum(p => p.parameter.numel());
        long head = tied ? 0 : (long)config.VocabSize * config.DModel;
        Assert.Equal(ModelMath.NonEmbeddingParams(config), numel - embeddings - head);
    }

    [Fact]
    public void Flops_per_token_match_the_nanogpt_formula_used_by_the_pytorch_reference()
    {
        // bench_torch.py: 6·(params − wte − wpe) + 12·L·d·T, with an untied head.
        var config = new GptConfig(512, 128, 4, 4, 128, 0, TieEmbeddings: false);
        using var model = new Gpt(config);
        long flopParams = model.named_parameters().Where(p => p.name is not ("wte.weight" or "wpe.weight")).Sum(p => p.parameter.numel());
        double expected = 6.0 * flopParams + 12.0 * 4 * 128 * 128;
        Assert.Equal(expected, ModelMath.TrainFlopsPerToken(config), 6);
    }

    [Fact]
    public void Forward_gives_logits_of_shape_B_T_V_and_is_causal()
    {
        torch.manual_seed(3);
        using var model = new Gpt(TestSupport.TinyModel());
        model.eval();
        using var idx = torch.randint(0, 64, [2, 10], dtype: ScalarType.Int64);
        using var logits = model.call(idx);
        Assert.Equal(new long[] { 2, 10, 64 }, logits.shape);
        // Changing the last token must not change earlier positions' logits.
        using var changed = idx.clone();
        changed[0, 9] = torch.tensor((changed[0, 9].item<long>() + 1) % 64);
        using var logits2 = model.call(changed);
        Assert.True(torch.allclose(logits[0, ..9], logits2[0, ..9], 1e-5, 1e-6));
        Assert.False(torch.allclose(logits[0, 9], logits2[0, 9], 1e-5, 1e-6));
    }

    [Fact]
    public void Checkpoint_round_trip_reproduces_logits()
    {
        using var tmp = new TempDirectory();
        torch.manual_seed(5);
        var config = TestSupport.TinyModel();
        using var model = new Gpt(config);
        model.eval();
        var dir = tmp.Path;
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = config, TrainingTokens = 123 });
        var (loaded, info) = Checkpoint.Load(dir);
        using (loaded)
        {
            loaded.eval();
            using var idx = torch.randint(0, 64, [3, 16], dtype: ScalarType.Int64);
            using var a = model.call(idx);
            using var b = loaded.call(idx);
            Assert.True(torch.allclose(a, b, 0, 0));
            Assert.Equal(123, info.TrainingTokens);
        }
        var names = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(dir, Checkpoint.WeightsFile)).Keys.ToList();
        Assert.Contains("transformer.wte.weight", names);
        Assert.Contains("transformer.h.1.attn.c_attn.weight", names);
        Assert.Contains("transformer.h.0.mlp.c_fc.bias", names);
        Assert.DoesNotContain("lm_head.weight", names);
    }

    [Fact]
    public void Loading_a_checkpoint_with_another_shape_lists_every_mismatch()
    {
        using var tmp = new TempDirectory();
        var config = TestSupport.TinyModel();
        using var model = new Gpt(config);
        var dir = tmp.Path;
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = config with { DModel = 32, Layers = 3 } });
        var e = Assert.Throws<UserInputException>(() => Checkpoint.Load(dir));
        Assert.Contains(e.Problems, p => p.Contains("transformer.wte.weight") && p.Contains("[64, 16]") && p.Contains("[64, 32]"));
        Assert.Contains(e.Problems, p => p.Contains("transformer.h.2.ln_1.weight") && p.Contains("missing"));
    }
}
