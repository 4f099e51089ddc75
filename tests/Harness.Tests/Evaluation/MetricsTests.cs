using Harness.Evaluation;
using Harness.Data;

namespace Harness.Tests.Evaluation;

public class MetricsTests
{
    [Fact]
    public void Acc_takes_the_largest_sum_and_acc_norm_the_largest_per_byte_log_prob()
    {
        // Item 1: " a" (2 bytes) −2.0 vs " bbbbbbb" (8 bytes) −4.0 → acc picks " a", acc_norm (−1.0 vs −0.5) picks " bbbbbbb".
        // Item 2: both metrics pick the gold choice " yes".
        var items = new[]
        {
            new MultipleChoiceItem("1", "g", "Q1", [" a", " bbbbbbb"], 1),
            new MultipleChoiceItem("2", "g", "Q2", [" no", " yes", " maybe"], 1),
        };
        var logProbs = new Dictionary<(string, string), double>
        {
            [("Q1", " a")] = -2.0, [("Q1", " bbbbbbb")] = -4.0,
            [("Q2", " no")] = -5.0, [("Q2", " yes")] = -1.0, [("Q2", " maybe")] = -3.0,
        };
        var scorer = new DelegateScorer(r => logProbs[(r.Context, r.Continuation)]);
        var outcome = EvaluationMetrics.ScoreMultipleChoice(scorer, items);
        Assert.Equal([false, true], outcome.Acc);
        Assert.Equal([true, true], outcome.AccNorm);
        var scores = EvaluationMetrics.MultipleChoiceScores("t", 1, items, outcome);
        Assert.Equal(0.5, scores.Single(s => s.Metric == "acc").Value);
        Assert.Equal(1.0, scores.Single(s => s.Metric == "acc_norm").Value);
        Assert.Equal((1 / 2.0 + 1 / 3.0) / 2, scores[0].Chance, 12);
        Assert.All(scores, s => Assert.Equal(2, s.Items));
        // task_loss: mean −ln p(gold | choices): item 1 −ln(e^−4 / (e^−2 + e^−4)), item 2 −ln(e^−1 / (e^−5 + e^−1 + e^−3)).
        var taskLoss = scores.Single(s => s.Metric == "task_loss");
        var expected = (Math.Log(Math.Exp(-2) + Math.Exp(-4)) + 4 + Math.Log(Math.Exp(-5) + Math.Exp(-1) + Math.Exp(-3)) + 1) / 2;
        Assert.Equal(expected, taskLoss.Value, 12);
        Assert.False(taskLoss.HigherIsBetter);
        Assert.Equal((Math.Log(2) + Math.Log(3)) / 2, taskLoss.Chance, 12);
    }

    [Fact]
    public void Ties_go_to_the_first_choice_like_numpy_argmax()
    {
        var items = new[] { new MultipleChoiceItem("1", "g", "Q", [" x", " y"], 1) };
        var outcome = EvaluationMetrics.ScoreMultipleChoice(new DelegateScorer(_ => -1.0), items);
        Assert.False(outcome.Acc[0]);
    }

    [Fact]
    public void Bootstrap_stderr_of_a_fair_coin_mean_matches_the_binomial_formula()
    {
        // n = 400 outcomes, exactly half ones: √(p(1−p)/n) = √(0.25/400) = 0.025.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i % 2)).ToArray();
        double se = EvaluationMetrics.BootstrapStdErr(values);
        Assert.InRange(se, 0.025 * 0.93, 0.025 * 1.07);
        Assert.Equal(se, EvaluationMetrics.BootstrapStdErr(values)); // seeded: identical on rerun
        Assert.Equal(0, EvaluationMetrics.BootstrapStdErr(Enumerable.Repeat(1.0, 50).ToArray()));
        Assert.True(double.IsNaN(EvaluationMetrics.BootstrapStdErr([1.0])));
    }

    [Fact]
    public void Subset_is_a_fixed_prefix_of_a_task_seeded_shuffle()
    {
        var items = Enumerable.Range(0, 100).ToArray();
        var ten = EvaluationMetrics.Subset(items, 10, "task");
        var twenty = EvaluationMetrics.Subset(items, 20, "task");
        Assert.Equal(ten, twenty.Take(10));
        Assert.Equal(ten, EvaluationMetrics.Subset(items, 10, "task"));
        Assert.NotEqual(ten, items.Take(10));
        Assert.Same(items, EvaluationMetrics.Subset(items, null, "task"));
        Assert.Equal(100, EvaluationMetrics.Subset(items, 1000, "task").Count);
    }

    [Fact]
    public void Stable_random_is_reproducible_and_roughly_uniform()
    {
        var a = new StableRandom(42, "x");
        var b = new StableRandom(42, "x");
        var counts = new int[4];
        for (int i = 0; i < 4000; i++)
        {
            int v = a.Next(4);
            Assert.Equal(v, b.Next(4));
            counts[v]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
    }
}
