using System.Text;
using Harness.Evaluation;
using Harness.Modeling;
using Harness.Training;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using Harness.Data.Mixes;
using Harness.Config;
using Harness.IO;
using Harness.Evaluation.Tasks;

namespace Harness.Tests.Evaluation;

public class GptScorerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A byte-level tokenizer: a tiktoken vocabulary of the 256 single bytes (rank = byte value) and no merges.</summary>
    internal static Tokenizer ByteTokenizer()
    {
        var ranks = new StringBuilder();
        for (int b = 0; b < 256; b++) ranks.Append(Convert.ToBase64String([(byte)b])).Append(' ').Append(b).Append('\n');
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(ranks.ToString()));
        return TiktokenTokenizer.Create(stream, preTokenizer: null, normalizer: null);
    }

    static Gpt RandomModel(int seed = 3, int context = 32)
    {
        torch.manual_seed(seed);
        return new Gpt(new GptConfig(256, context, 2, 2, 16, Dropout: 0.1));
    }

    [Fact]
    public void Byte_tokenizer_round_trips()
    {
        var tok = ByteTokenizer();
        Assert.Equal(new[] { 72, 105 }, tok.EncodeToIds("Hi"));
        Assert.Equal("héllo", tok.Decode(tok.EncodeToIds("héllo")));
    }

    [Fact]
    public void Batched_log_likelihoods_equal_one_at_a_time_scoring_and_mode_is_restored()
    {
        using var model = RandomModel();
        var requests = new List<LoglikelihoodRequest>
        {
            new("Q: 12 + 30 = A:", " 42"),
            new("The capital of France is", " Paris"),
            new("a", " much longer continuation"),
            new("A context that is far longer than the thirty-two token window of this tiny model, so it is left-truncated.", " yes"),
            new("Trailing space moves ", "over"),
            new("x", ""),
        };
        model.train();
        var batched = new GptScorer(model, ByteTokenizer(), batchSize: 4).LogLikelihood(requests);
        Assert.True(model.training);
        var single = requests.Select(r => new GptScorer(model, ByteTokenizer(), batchSize: 1).LogLikelihood([r])[0]).ToArray();
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.Equal(single[i].LogProb, batched[i].LogProb, 4);
            Assert.Equal(single[i].IsGreedy, batched[i].IsGreedy);
            Assert.Equal(single[i].ContinuationTokens, batched[i].ContinuationTokens);
        }
        Assert.Equal(3, batched[0].ContinuationTokens);
        Assert.Equal(5, batched[4].ContinuationTokens); // " over": the context's trailing space joined the continuation
        Assert.Equal(0, batched[5].LogProb);
        Assert.All(batched.Take(5), r => Assert.True(r.LogProb < 0));
        // Eval mode is on while scoring: the same call again gives the same numbers despite dropout 0.1.
        Assert.Equal(batched.Select(r => r.LogProb), new GptScorer(model, ByteTokenizer(), batchSize: 4).LogLikelihood(requests).Select(r => r.LogProb));
    }

    [Fact]
    public void Summed_log_likelihood_matches_a_direct_forward_pass()
    {
        using var model = RandomModel();
        var tok = ByteTokenizer();
        var result = new GptScorer(model, tok).LogLikelihood([new("abc", "de")])[0];
        model.eval();
        using var _ = torch.no_grad();
        var ids = torch.tensor(new long[] { 'a', 'b', 'c', 'd' }).view(1, -1);
        var logp = torch.nn.functional.log_softmax(model.call(ids), -1);
        double expected = logp[0, 2, 'd'].item<float>() + logp[0, 3, 'e'].item<float>();
        Assert.Equal(expected, result.LogProb, 4);
    }

    [Fact]
    public void Batched_generation_equals_one_at_a_time_and_stops_at_stop_strings()
    {
        using var model = RandomModel(seed: 5);
        var requests = new[]
        {
            new GenerationRequest("Q: 1 + 2 = A:", 6, ["\n"]),
            new GenerationRequest("Hello there, this context is long enough to slide past the window", 5, []),
            new GenerationRequest("z", 3, ["q"]),
        };
        var batched = new GptScorer(model, ByteTokenizer(), batchSize: 8).GenerateGreedy(requests);
        var single = requests.Select(r => new GptScorer(model, ByteTokenizer(), batchSize: 1).GenerateGreedy([r])[0]).ToArray();
        Assert.Equal(single, batched);
        Assert.All(batched, s => Assert.DoesNotContain('\n', s));
        Assert.Equal(2, GptScorer.FirstStop("ab.c\nd", [".", "x"]));
        Assert.Equal(3, GptScorer.FirstStop("abc\nd.", ["."]));
    }

    [Fact]
    public void A_tiny_model_trained_on_the_arithmetic_stream_beats_the_uniform_scorer()
    {
        torch.manual_seed(11);
        var config = new GptConfig(256, 32, 2, 4, 64);
        var text = string.Join("\n", ArithmeticStream.TrainingDocuments(seed: 1, count: 20000, digits: 2)) + "\n";
        var tokens = Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();
        using var model = new Gpt(config);
        var training = new TrainingConfig { BatchSize = 16, MaxSteps = 1500, LearningRate = 1e-2, MinLearningRate = 1e-3, WarmupSteps = 20, EvalInterval = 1500, LogInterval = 50, Seed = 1 };
        new Trainer(model, training, new BatchSampler(tokens, training.BatchSize, config.ContextLength, 1),
            new LossEvaluator(tokens[..2000], TestSupport.UnitByteLengths(256), config.ContextLength, 256), new CrossEntropyObjective(), torch.CPU)
            .Run(progress: new CallbackProgress<TrainingProgress>(_ => { }));

        var task = new ArithmeticTask(digits: 2);                      // all 500 items: a few exact matches, not one or two
        var trained = task.Evaluate(new GptScorer(model, ByteTokenizer()), null).ToDictionary(s => s.Metric);
        var uniform = task.Evaluate(new UniformScorer(256), null).ToDictionary(s => s.Metric);
        var report = string.Join(", ", trained.Values.Select(s => $"{s.Metric} {s.Value:F3} (uniform {uniform[s.Metric].Value:F3})"));
        output.WriteLine(report);
        // Deterministic on CPU (seeded init, batches and items).  Observed (task v3, SafeAdamW, 500 items): acc 0.312 vs
        // uniform 0.262 (stderr ≈ 0.02), acc_norm 0.366 vs 0.258, exact_match 0.012 (6 items) vs 0: the model has picked
        // up some digit structure but not yet carrying.
        Assert.True(trained["acc"].Value > uniform["acc"].Value, report);
        // The uniform scorer's exact_match is 0 by construction (no continuation is ever greedy), so "beats uniform" on
        // exact match means: at least one answer is the model's own greedy continuation.
        Assert.Equal(0.0, uniform["exact_match"].Value);
        Assert.True(trained["exact_match"].Value > 0, report);
    }
}
