namespace Harness.Evaluation.Benchmarks;

/// <summary>lm-evaluation-harness's aggregations (<c>lm_eval/api/metrics.py</c>), written once.</summary>
public static class LmEvalMetrics
{
    /// <summary><c>mean_stderr</c>: sample standard deviation (n − 1) / √n; NaN for n &lt; 2.</summary>
    public static double MeanStdErr(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2) return double.NaN;
        double mean = values.Average();
        double ss = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(ss / (n - 1) / n);
    }

    public static TaskScore Mean(string task, int version, string metric, IReadOnlyList<double> values, double chance) =>
        new(task, version, metric, values.Count == 0 ? double.NaN : values.Average(), MeanStdErr(values), values.Count, chance, true);

    /// <summary>A group's score, <c>aggregate_subtask_metrics</c> with <c>weight_by_size: True</c>: Σ nᵢ xᵢ / Σ nᵢ.</summary>
    public static double WeightedMean(IReadOnlyList<double> values, IReadOnlyList<int> sizes) =>
        values.Zip(sizes, (x, n) => x * n).Sum() / sizes.Sum();

    /// <summary>
    /// A group's stderr, <c>pooled_sample_stderr</c> (the pooled variance of the subtasks, Σ (nᵢ − 1) nᵢ seᵢ² / (Σ nᵢ − m),
    /// over Σ nᵢ, square-rooted; m subtasks).  NaN when a subtask has none (lm-eval writes "N/A" then).
    /// </summary>
    public static double PooledStdErr(IReadOnlyList<double> stderrs, IReadOnlyList<int> sizes)
    {
        if (stderrs.Any(double.IsNaN)) return double.NaN;
        double pooledVariance = stderrs.Zip(sizes, (se, n) => (n - 1.0) * se * se * n).Sum() / (sizes.Sum() - sizes.Count);
        return Math.Sqrt(pooledVariance / sizes.Sum());
    }

    /// <summary><c>perplexity</c> aggregation: exp(−mean log-likelihood).</summary>
    public static double Perplexity(IReadOnlyList<double> logLikelihoods) => Math.Exp(-logLikelihoods.Average());

    /// <summary><c>weighted_perplexity</c>: exp(−Σ ll / Σ weight) (weights are words or bytes).</summary>
    public static double WeightedPerplexity(IReadOnlyList<(double LogLikelihood, long Weight)> items) =>
        Math.Exp(-items.Sum(i => i.LogLikelihood) / items.Sum(i => i.Weight));

    /// <summary><c>bits_per_byte</c>: −Σ ll / Σ bytes / ln 2.</summary>
    public static double BitsPerByte(IReadOnlyList<(double LogLikelihood, long Bytes)> items) =>
        -items.Sum(i => i.LogLikelihood) / items.Sum(i => i.Bytes) / Math.Log(2);

    /// <summary>
    /// lm-eval's multiple-choice <c>process_results</c>: acc = [argmax ll = gold]; acc_norm = [argmax ll / len(choice) =
    /// gold], len counting the characters (Unicode code points, as Python's len) of the choice string without the target
    /// delimiter.  numpy's argmax keeps the first maximum.
    /// </summary>
    public static (bool Acc, bool AccNorm) Score(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices, int gold)
    {
        int best = 0, bestNorm = 0;
        double bestNormValue = double.NegativeInfinity;
        for (int c = 0; c < choices.Count; c++)
        {
            if (logLikelihoods[c] > logLikelihoods[best]) best = c;
            double norm = logLikelihoods[c] / CodePoints(choices[c]);
            if (c == 0 || norm > bestNormValue) { bestNorm = c; bestNormValue = norm; }
        }
        return (best == gold, bestNorm == gold);
    }

    /// <summary>Python's len(str): code points, so a surrogate pair counts once.</summary>
    public static int CodePoints(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++, n++)
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
        return n;
    }
}
