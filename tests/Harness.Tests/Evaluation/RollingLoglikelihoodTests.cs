using Harness.Config;
using Harness.Evaluation;
using Harness.Modeling;
using TorchSharp;

namespace Harness.Tests.Evaluation;

/// <summary>GptScorer's rolling log-likelihood against the same windows scored as ordinary requests (byte tokenizer,
/// so text ↔ tokens is exact), and its grouped request order against the default.</summary>
public class RollingLoglikelihoodTests
{
    static Gpt Model(int context)
    {
        torch.manual_seed(11);
        return new Gpt(new GptConfig(256, context, 2, 2, 16, Dropout: 0.0));
    }

    [Fact]
    public void Rolling_windows_are_lm_evals_disjoint_windows_of_the_context_length()
    {
        const int T = 8;
        using var model = Model(T);
        var tok = GptScorerTests.ByteTokenizer();
        const int bos = 0;
        var scorer = new GptScorer(model, tok, beginTokenId: bos);
        var text = "abcdefghijklmnopqrst"; // 20 tokens: windows predict [0,8), [8,16), [16,20)
        var rolled = Assert.Single(scorer.LogLikelihoodRolling([text]));
        Assert.Equal((20, 3), (rolled.Tokens, rolled.Windows));
        // Window 1: begin token then tokens 0..6 predict tokens 0..7 (empty context → begin token).
        // Window 2: tokens 7..14 predict 8..15 (context = token 7).  Window 3: tokens 11..18 predict 16..19 (context = tokens 11..15).
        var parts = scorer.LogLikelihood(
        [
            new LoglikelihoodRequest("", text[..8]),
            new LoglikelihoodRequest(text[7..8], text[8..16]),
            new LoglikelihoodRequest(text[11..16], text[16..20]),
        ]);
        Assert.Equal(parts.Sum(p => p.LogProb), rolled.LogProb, 4);
        var empty = scorer.LogLikelihoodRolling([""]).Single();
        Assert.Equal((0.0, 0, 0), (empty.LogProb, empty.Tokens, empty.Windows));
    }

    [Fact]
    public void Grouping_by_context_changes_the_order_not_the_scores()
    {
        using var model = Model(32);
        var tok = GptScorerTests.ByteTokenizer();
        var requests = new List<LoglikelihoodRequest>();
        for (int i = 0; i < 6; i++)
            foreach (var choice in new[] { " a", " bb", " cccccc", " dddddddddd" })
                requests.Add(new LoglikelihoodRequest($"Question {i}: which one?{new string('x', i)}", choice));
        var plain = new GptScorer(model, tok, batchSize: 4).LogLikelihood(requests);
        var grouped = new GptScorer(model, tok, batchSize: 4) { GroupByContext = true }.LogLikelihood(requests);
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.Equal(plain[i].LogProb, grouped[i].LogProb, 4);
            Assert.Equal(plain[i].ContinuationTokens, grouped[i].ContinuationTokens);
        }
    }
}
