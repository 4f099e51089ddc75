using Harness.Config;
using Harness.Evaluation;
using Harness.Modeling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Tests.Modeling;

/// <summary>README "Teacher vocabulary": sampling and scoring never give a padding row of the head probability.</summary>
public class PaddedVocabularyTests
{
    const int Gpt2Tokens = 50257, Rows = 50264;

    /// <summary>A random-weight Llama folder whose head has 7 padding rows beyond GPT-2's 50,257 tokens, set so that at
    /// the last position of each of <paramref name="contexts"/> they hold by far the largest logit (row = 100·h/|h| for
    /// that position's hidden state h); the tokenizer is the stock GPT-2 encoding.</summary>
    static string PaddedFolder(params long[][] contexts)
    {
        manual_seed(21);
        var config = new LlamaConfig(Rows, 32, 1, 2, 1, 16, 8, 24, 1e-5, 10000, TieEmbeddings: false);
        using var model = new Llama(config);
        using (no_grad())
        {
            var head = model.named_parameters().Single(p => p.name == "lm_head.weight").parameter;
            int row = Gpt2Tokens;
            foreach (var ids in contexts)
            {
                using var scope = NewDisposeScope();
                var h = model.Hidden(tensor(ids, [1, ids.Length]))[0, -1];                     // (C)
                var up = h.DividedBy(h.norm().item<float>() / 100.0);
                for (int i = 0; i < 3; i++) head[row++].copy_(up);
            }
        }
        var dir = TestSupport.TempDirectory();
        var state = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(dir, Checkpoint.WeightsFile), state);
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), HuggingFaceExport.Config(config).ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "{\"kind\": \"gpt2\"}");
        return dir;
    }

    [Fact]
    public void Sampler_and_scorer_take_the_softmax_over_the_tokenizers_tokens_only()
    {
        var gpt2 = Harness.Data.TokenizerLoader.Open(WriteDescriptor()).Tokenizer;
        long[] prompt = [464, 3290, 373, 257];
        var ctx = gpt2.EncodeToIds("The cat sat on").Select(t => (long)t).ToArray();
        var dir = PaddedFolder(prompt, ctx);
        var tokenizer = ModelFolder.OpenTokenizer(dir);
        Assert.Equal(Gpt2Tokens, tokenizer.VocabSize);
        using var model = ModelFolder.Load(dir);
        Assert.Equal(Rows, model.OutputSize);
        Assert.Equal(Gpt2Tokens, model.TokenizerSize);

        // Greedy and sampled continuations stay below the tokenizer's size, although the padding rows hold the largest logits.
        var greedy = TextSampler.Continue(model, prompt.Select(t => (int)t).ToArray(), 6, temperature: 0, topK: 0, seed: 1);
        var sampled = TextSampler.Continue(model, prompt.Select(t => (int)t).ToArray(), 6, temperature: 1.0, topK: 0, seed: 1);
        Assert.All(greedy.Concat(sampled), t => Assert.InRange(t, 0, Gpt2Tokens - 1));
        model.TokenizerSize = null;   // without the rule the padding rows win: the test can fail
        Assert.Contains(TextSampler.Continue(model, prompt.Select(t => (int)t).ToArray(), 6, temperature: 0, topK: 0, seed: 1), t => t >= Gpt2Tokens);
        model.TokenizerSize = Gpt2Tokens;

        // The scorer's log-probability is log_softmax over the first V rows, and its greedy flag compares with their argmax.
        var scorer = new GptScorer(model, tokenizer.Tokenizer);
        var result = scorer.LogLikelihood([new LoglikelihoodRequest("The cat sat on", " the")])[0];
        int target = tokenizer.Tokenizer.EncodeToIds(" the").Single();
        using (no_grad())
        {
            using var logits = model.call(tensor(ctx, [1, ctx.Length]))[0, -1];
            using var real = F.log_softmax(logits.narrow(0, 0, Gpt2Tokens), 0);
            Assert.Equal(real[target].item<float>(), result.LogProb, 4);
            Assert.Equal(real.argmax().item<long>() == target, result.IsGreedy);
            using var all = F.log_softmax(logits, 0);
            Assert.True(all[target].item<float>() < real[target].item<float>() - 1, "the padding rows should have held most of the mass");
        }
    }

    static string WriteDescriptor()
    {
        var path = Path.Combine(TestSupport.TempDirectory(), "tokenizer.json");
        File.WriteAllText(path, "{\"kind\": \"gpt2\"}");
        return path;
    }
}
