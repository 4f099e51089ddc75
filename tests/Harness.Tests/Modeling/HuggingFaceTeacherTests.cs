using Harness.Config;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Tests.Modeling;

public class HuggingFaceTeacherTests
{
    const int Tokens = 64, PaddedRows = 72, Context = 16;

    /// <summary>A Llama teacher whose head has 8 padding rows beyond the tokenizer's 64, set to dominate the softmax.</summary>
    static Llama PaddedTeacher()
    {
        manual_seed(7);
        var teacher = new Llama(new LlamaConfig(PaddedRows, Context, 1, 2, 1, 16, 8, 24, 1e-5, 10000, TieEmbeddings: false));
        using (no_grad())
        {
            var head = teacher.named_parameters().Single(p => p.name == "lm_head.weight").parameter;
            head.narrow(0, Tokens, PaddedRows - Tokens).fill_(SafeOps.One);   // large logits on the padding rows
        }
        return teacher;
    }

    static Tensor Windows(int rows)
    {
        var ids = Enumerable.Range(0, rows * Context).Select(i => (long)(i * 7 % Tokens)).ToArray();
        return tensor(ids, [rows, Context]);
    }

    [Fact]
    public void Online_teacher_drops_padding_rows_before_the_softmax()
    {
        using var teacher = PaddedTeacher();
        var x = Windows(2);
        var batch = new TrainingBatch(x, x, [0, Context], 0);
        using var logProbs = new OnlineTeacher(teacher, Tokens).LogProbs(batch, 2.0);
        Assert.Equal(new long[] { 2, Context, Tokens }, logProbs.shape);
        using var total = logProbs.logsumexp(-1).abs().max();
        Assert.True(total.item<float>() < 1e-5, "the distribution over the 64 real tokens sums to 1");
        using (no_grad())
        {
            using var expected = F.log_softmax(teacher.call(x).narrow(-1, 0, Tokens).DividedBy(2.0), -1);
            using var delta = expected.Minus(logProbs).abs().max();
            Assert.True(delta.item<float>() < 1e-6);
            // Kept, the padding rows would have taken most of the mass: the rule changes the answer.
            using var withPadding = F.log_softmax(teacher.call(x).DividedBy(2.0), -1).narrow(-1, 0, Tokens).logsumexp(-1).min();
            Assert.True(withPadding.item<float>() < -0.7, $"log mass on real tokens with padding kept: {withPadding.item<float>()}");
        }
    }

    [Fact]
    public void Logit_cache_fill_drops_padding_rows_and_stores_only_real_token_ids()
    {
        using var teacher = PaddedTeacher();
        var path = Path.Combine(TestSupport.TempDirectory(), "teacher.cache");
        var x = Windows(2);
        using var cache = new TeacherLogitCache(path, teacher, 2 * Context + 1, topK: 4, vocabularySize: Tokens);
        var (ids, logProbs) = cache.Lookup(new TrainingBatch(x, x, [0, Context], 0), CPU);
        using (ids) using (logProbs)
        {
            using var maxId = ids.max();
            Assert.True(maxId.item<long>() < Tokens);
            using (no_grad())
            {
                using var expected = F.log_softmax(teacher.call(x).narrow(-1, 0, Tokens), -1).topk(4).values;
                using var delta = expected.Minus(logProbs).abs().max();
                Assert.True(delta.item<float>() < 2e-3, "cache stores float16 log-probs");   // half precision
            }
        }
    }

    [Fact]
    public void Tokenizer_mismatch_names_both_sizes_and_hashes_and_a_short_head_is_refused()
    {
        var problems = TeacherVocabulary.Problems("teacher-x", 152064, 151936, "aaa", 50257, "bbb");
        var mismatch = Assert.Single(problems);
        Assert.Contains("151936 tokens, hash aaa", mismatch);
        Assert.Contains("50257 tokens, hash bbb", mismatch);
        Assert.Empty(TeacherVocabulary.Problems("padded", 152064, 151936, "aaa", 151936, "aaa"));   // padding rows are fine
        Assert.Contains("fewer than the tokenizer's", Assert.Single(TeacherVocabulary.Problems("short", 100, 120, "h", 120, "h")));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Llama_export_and_import_round_trip_gives_the_same_logits(bool qwen2Bias, bool scaling)
    {
        manual_seed(11);
        var config = new LlamaConfig(Tokens, Context, 2, 4, 2, 16, 4, 24, 1e-6, 500000, scaling ? new Llama3RopeScaling(8, 1, 4, 8) : null,
            QkvBias: qwen2Bias, TieEmbeddings: !qwen2Bias);
        using var model = new Llama(config);
        var source = TestSupport.TempDirectory();
        var state = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(source, Checkpoint.WeightsFile), state);
        File.WriteAllText(Path.Combine(source, Checkpoint.ConfigFile), HuggingFaceExport.Config(config).ToJsonString());
        File.WriteAllText(Path.Combine(source, "tokenizer.json"), "{\"kind\": \"gpt2\"}");
        var exported = Path.Combine(TestSupport.TempDirectory(), "out");
        HuggingFaceExport.Write(source, exported);
        Assert.True(File.Exists(Path.Combine(exported, "tokenizer.json")));
        Assert.Equal(TokenizerSpec.Gpt2, ModelFolder.OpenTokenizer(exported).Kind);   // the old {"kind":"gpt2"} descriptor, carried over
        using var back = ModelFolder.Load(exported);
        Assert.Equal(config, ((Llama)back).Config);
        using (no_grad())
        {
            var x = Windows(1);
            using var delta = model.call(x).Minus(back.call(x)).abs().max();
            Assert.Equal(0f, delta.item<float>());
        }
    }

    [Fact]
    public void A_folder_with_an_unreadable_hugging_face_tokenizer_is_refused_clearly()
    {
        var dir = TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), HuggingFaceExport.Config(new LlamaConfig(64, 16, 1, 2, 1, 16, 8, 24, 1e-5, 10000)).ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"WordPiece\"}}");
        var e = Assert.Throws<UserInputException>(() => ModelFolder.OpenTokenizer(dir));
        Assert.Contains("tokenizer.json", e.Message + string.Join("\n", e.Problems));
        Console.WriteLine($"REFUSAL | {e.Message} | {string.Join(" | ", e.Problems)}");
    }
}

public class HuggingFacePrecisionTests
{
    /// <summary>bf16 and fp16 inference of an imported Llama agrees with fp32 within a stated tolerance: max |Δ log-prob|
    /// ≤ 0.05 (bf16 keeps 8 significant bits, fp16 11) on a random model whose log-probs span a few nats.</summary>
    [Theory]
    [InlineData("bfloat16", 0.05)]
    [InlineData("float16", 0.01)]
    public void Reduced_precision_teacher_matches_fp32_within_tolerance(string dtypeName, double tolerance)
    {
        var dtype = dtypeName == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float16;
        manual_seed(3);
        var config = new LlamaConfig(64, 32, 2, 4, 2, 32, 8, 48, 1e-5, 10000, TieEmbeddings: false);
        using var model = new Llama(config);
        var dir = TestSupport.TempDirectory();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(dir, Checkpoint.WeightsFile), model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), HuggingFaceExport.Config(config).ToJsonString());
        using var full = HuggingFaceImport.Load(dir);
        using var reduced = HuggingFaceImport.Load(dir, dtype: dtype);
        Assert.Equal(dtype, reduced.Model.parameters().First().dtype);
        var x = tensor(Enumerable.Range(0, 2 * 32).Select(i => (long)(i * 5 % 64)).ToArray(), [2, 32]);
        var batch = new Harness.Training.TrainingBatch(x, x, [0, 32], 0);
        using var a = new Harness.Distillation.OnlineTeacher(full.Model).LogProbs(batch, 1.0);
        using var b = new Harness.Distillation.OnlineTeacher(reduced.Model).LogProbs(batch, 1.0);
        Assert.Equal(ScalarType.Float32, b.dtype);
        using var delta = a.Minus(b).abs().max();
        Console.WriteLine($"PRECISION | {dtypeName} | max|Δ log p| {delta.item<float>():E2}");
        Assert.True(delta.item<float>() <= tolerance, $"{dtypeName}: max |Δ log p| = {delta.item<float>()}");
        Assert.True(delta.item<float>() > 0, "the reduced model really computed in reduced precision");
    }
}

public class HuggingFaceMemoryTests
{
    [Fact]
    public void A_model_that_cannot_fit_is_refused_before_any_weight_is_read()
    {
        var config = new LlamaConfig(1000, 64, 2, 4, 2, 64, 16, 128, 1e-5, 10000, TieEmbeddings: false);
        var dir = TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), HuggingFaceExport.Config(config).ToJsonString());
        File.WriteAllBytes(Path.Combine(dir, Checkpoint.WeightsFile), BitConverter.GetBytes(2L).Concat("{}"u8.ToArray()).ToArray()); // valid, empty
        var hf = HuggingFaceConfig.Read(dir);
        long p = ModelMath.TotalParams(config);
        long need = HuggingFaceImport.RequiredBytes(hf, ScalarType.Float32, 4, 64, 0);
        // Weights in fp32 plus the logits of a 4×64 batch (three fp32 copies) at least; bf16 halves the weight term.
        Assert.True(need >= 4 * p + 3L * 4 * 64 * 1000 * 4);
        Assert.True(HuggingFaceImport.RequiredBytes(hf, ScalarType.BFloat16, 1, 64, 0) < HuggingFaceImport.RequiredBytes(hf, ScalarType.Float32, 1, 64, 0));
        var e = Assert.Throws<UserInputException>(() => HuggingFaceImport.Load(dir, batch: (4, 64), availableBytes: need / 2));
        Assert.Contains("of memory", e.Message);
        Assert.Contains($"{p:N0} parameters", Assert.Single(e.Problems));
        // With room, the same folder gets as far as its (missing) weights: the check came first.
        var missing = Assert.Throws<UserInputException>(() => HuggingFaceImport.Load(dir, batch: (4, 64), availableBytes: need * 2));
        Assert.Contains("weights do not match", missing.Message);
    }
}
