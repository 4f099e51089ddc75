using System.Text;
using Harness.Data;

namespace Harness.Evaluation;

/// <summary>Metric arithmetic shared by tasks: multiple-choice scoring, bootstrap standard errors, subsets.</summary>
public static class EvaluationMetrics
{
    /// <summary>Bootstrap resamples for standard errors (lm-eval uses 100 000 for non-mean metrics; 1 000 gives the
    /// stderr to about ±2 % relative, enough to draw error bars).</summary>
    public const int BootstrapResamples = 1000;

    /// <summary>Fixed seed of the bootstrap, so a rerun writes identical result files.</summary>
    public const ulong BootstrapSeed = 0x5EED_B007UL;

    /// <summary>
    /// Scores items the way lm-evaluation-harness scores multiple choice (<c>lm_eval/api/task.py</c>, <c>process_results</c>):
    /// acc = argmax of summed log-probability; acc_norm = argmax of log-probability per UTF-8 byte of the choice
    /// (lm-eval divides by characters; bytes keep the normaliser tokenizer-independent, as in bits-per-byte).
    /// All requests go to the scorer in one call so it can batch them.
    /// </summary>
    public static MultipleChoiceOutcome ScoreMultipleChoice(ILanguageModelScorer scorer, IReadOnlyList<MultipleChoiceItem> items)
    {
        var requests = new List<LoglikelihoodRequest>();
        foreach (var item in items)
            foreach (var choice in item.Choices)
                requests.Add(new LoglikelihoodRequest(item.Context, choice));
        var results = scorer.LogLikelihood(requests);
        if (results.Count != requests.Count)
            throw new InvalidOperationException($"scorer returned {results.Count} results for {requests.Count} requests.");
        var acc = new bool[items.Count];
        var accNorm = new bool[items.Count];
        var chance = new double[items.Count];
        var goldIsGreedy = new bool[items.Count];
        var goldLoss = new double[items.Count];
        int r = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            goldIsGreedy[i] = results[r + item.Gold].IsGreedy;
            var max = double.NegativeInfinity;
            for (int c = 0; c < item.Choices.Count; c++) max = Math.Max(max, results[r + c].LogProb);
            var sum = 0.0;
            for (int c = 0; c < item.Choices.Count; c++) sum += Math.Exp(results[r + c].LogProb - max);
            goldLoss[i] = max + Math.Log(sum) - results[r + item.Gold].LogProb;
            int best = -1, bestNorm = -1;
            double bestValue = double.NegativeInfinity, bestNormValue = double.NegativeInfinity;
            for (int c = 0; c < item.Choices.Count; c++, r++)
            {
                var res = results[r];
                double norm = res.LogProb / Math.Max(1, res.ContinuationBytes);
                // Strict '>' keeps the first maximum, like numpy.argmax.
                if (best < 0 || res.LogProb > bestValue) { best = c; bestValue = res.LogProb; }
                if (bestNorm < 0 || norm > bestNormValue) { bestNorm = c; bestNormValue = norm; }
            }
            acc[i] = best == item.Gold;
            accNorm[i] = bestNorm == item.Gold;
            chance[i] = 1.0 / item.Choices.Count;
        }
        return new MultipleChoiceOutcome(acc, accNorm, chance, goldIsGreedy, goldLoss);
    }

    /// <summary>
    /// Standard error of the mean of <paramref name="values"/> by the nonparametric bootstrap (Efron &amp; Tibshirani 1993):
    /// the standard deviation of the means of <see cref="BootstrapResamples"/> resamples drawn with replacement, seeded
    /// with <see cref="BootstrapSeed"/>.  For a Bernoulli(p) mean this approaches √(p(1−p)/n).  Returns NaN for n &lt; 2.
    /// </summary>
    public static double BootstrapStdErr(IReadOnlyList<double> values, int resamples = BootstrapResamples, ulong seed = BootstrapSeed)
    {
        int n = values.Count;
        if (n < 2) return double.NaN;
        var rng = new StableRandom(seed);
        double sum = 0, sumSq = 0;
        for (int b = 0; b < resamples; b++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += values[rng.Next(n)];
            double mean = s / n;
            sum += mean;
            sumSq += mean * mean;
        }
        double m = sum / resamples;
        return Math.Sqrt(Math.Max(0, (sumSq / resamples - m * m) * resamples / (resamples - 1.0)));
    }

    /// <summary>Mean of per-item scores with its bootstrap stderr, as a <see cref="TaskScore"/>.</summary>
    public static TaskScore Mean(string task, int version, string metric, IReadOnlyList<double> values, double chance, bool higherIsBetter = true) =>
        new(task, version, metric, values.Count == 0 ? double.NaN : values.Average(), BootstrapStdErr(values), values.Count, chance, higherIsBetter);

    public static TaskScore Mean(string task, int version, string metric, IReadOnlyList<bool> correct, double chance) =>
        Mean(task, version, metric, correct.Select(c => c ? 1.0 : 0.0).ToArray(), chance);

    /// <summary>
    /// acc and acc_norm over all items, then task_loss (mean choice-normalised −ln p(gold), lower is better, "chance"
    /// = mean ln K, a uniform guesser's loss; issue 12: a continuous per-task metric that moves before accuracy leaves
    /// chance), then acc per <see cref="MultipleChoiceItem.Group"/> as "acc_{group}" when there is more than one group.
    /// Chance of acc = mean over items of 1 / number of choices.
    /// </summary>
    public static List<TaskScore> MultipleChoiceScores(string task, int version, IReadOnlyList<MultipleChoiceItem> items, MultipleChoiceOutcome outcome, string prefix = "")
    {
        double chance = outcome.Chance.Length == 0 ? double.NaN : outcome.Chance.Average();
        var scores = new List<TaskScore>
        {
            Mean(task, version, prefix + "acc", outcome.Acc, chance),
            Mean(task, version, prefix + "acc_norm", outcome.AccNorm, chance),
        };
        if (outcome.GoldLoss is { } loss)
            scores.Add(Mean(task, version, prefix + "task_loss", loss, items.Count == 0 ? double.NaN : items.Average(i => Math.Log(i.Choices.Count)), higherIsBetter: false));
        var groups = items.Select(i => i.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        if (groups.Count > 1)
            foreach (var g in groups)
            {
                var idx = Enumerable.Range(0, items.Count).Where(i => items[i].Group == g).ToList();
                scores.Add(Mean(task, version, $"{prefix}acc_{g}", idx.Select(i => outcome.Acc[i]).ToArray(), idx.Average(i => outcome.Chance[i])));
            }
        return scores;
    }

    /// <summary>
    /// exact_match (the gold continuation is the greedy one, <see cref="MultipleChoiceOutcome.GoldIsGreedy"/>, chance 0)
    /// followed by <see cref="MultipleChoiceScores"/>, all from one scoring pass over the items.
    /// </summary>
    public static List<TaskScore> ExactMatchAndMultipleChoiceScores(string task, int version, ILanguageModelScorer scorer, IReadOnlyList<MultipleChoiceItem> items)
    {
        var outcome = ScoreMultipleChoice(scorer, items);
        var scores = new List<TaskScore> { Mean(task, version, "exact_match", outcome.GoldIsGreedy, 0.0) };
        scores.AddRange(MultipleChoiceScores(task, version, items, outcome));
        return scores;
    }

    /// <summary>
    /// The cheap curve-point subset: the first <paramref name="maxItems"/> items of a shuffle seeded by the task name
    /// only, so it is the same at every checkpoint, for every run and method.  Null means all items (in file order).
    /// </summary>
    public static IReadOnlyList<T> Subset<T>(IReadOnlyList<T> items, int? maxItems, string taskName)
    {
        if (maxItems is null) return items;
        if (maxItems <= 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "must be positive");
        var order = Enumerable.Range(0, items.Count).ToArray();
        new StableRandom(0, "subset:" + taskName).Shuffle(order);
        return order.Take(maxItems.Value).Select(i => items[i]).ToArray();
    }

    internal static int Utf8Length(string s) => Encoding.UTF8.GetByteCount(s);
}
