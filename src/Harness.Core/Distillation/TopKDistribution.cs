using Harness.Modeling;
using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>
/// A teacher distribution over V tokens stored sparsely: k explicit log-probs plus one shared log-prob for each of the
/// other V − k ("tail") tokens — what the top-k teacher-logit cache holds.  Rows are positions (…, k); no gradient.
/// </summary>
/// <param name="Ids">Token ids of the explicit entries (…, k), int64, distinct within a row.</param>
/// <param name="LogProbs">Their log-probabilities (…, k).</param>
/// <param name="TailLogProb">Log-probability of each tail token (…, 1); ignored when <paramref name="TailCount"/> is 0.</param>
/// <param name="TailCount">V − k.</param>
public sealed record TopKDistribution(Tensor Ids, Tensor LogProbs, Tensor TailLogProb, long TailCount)
{
    public long VocabSize => Ids.shape[^1] + TailCount;

    /// <summary>
    /// Top-k log-probs at temperature 1 → the distribution the cache stands for, at temperature τ.  The residual mass
    /// r = 1 − Σ_topk p_i is spread uniformly over the V − k tail tokens, then q ∝ p^(1/τ) is renormalised over all V:
    /// log q_i = l_i/τ − log Z, log q_tail = log(r/(V−k))/τ − log Z, Z = Σ_topk e^(l_i/τ) + (V−k)·e^(log(r/(V−k))/τ).
    /// </summary>
    public static TopKDistribution FromTopK(Tensor ids, Tensor topLogProbs, int vocabSize, double temperature)
    {
        long k = ids.shape[^1];
        long tailCount = vocabSize - k;
        var scaled = topLogProbs.DividedBy(temperature);                                                          // (…, k)
        if (tailCount == 0)
            return new TopKDistribution(ids, scaled.log_softmax(-1), scaled.narrow(-1, 0, 1).FilledLike(double.NegativeInfinity), 0);
        var residual = topLogProbs.exp().sum(-1, keepdim: true).SubtractedFrom(1).AtLeast(1e-12);           // (…, 1)
        var tail = residual.DividedBy(tailCount).log().DividedBy(temperature);                                          // (…, 1)
        var logZ = cat([scaled, tail.PlusScalar(Math.Log(tailCount))], -1).logsumexp(-1, keepdim: true);           // (…, 1)
        return new TopKDistribution(ids, scaled.Minus(logZ), tail.Minus(logZ), tailCount);
    }

    /// <summary>The same distribution as dense log-probs (…, V).</summary>
    public Tensor Dense()
    {
        var shape = LogProbs.shape.Take((int)LogProbs.dim() - 1).Append(VocabSize).ToArray();
        var fill = TailCount > 0 ? TailLogProb : TailLogProb.FilledLike(double.NegativeInfinity);
        return fill.expand(shape).clone().scatter_(-1, Ids, LogProbs);                                       // (…, V)
    }

    /// <summary>Flattens the leading dimensions: (…, k) → (N, k).</summary>
    public TopKDistribution Flatten() =>
        new(Ids.reshape(-1, Ids.shape[^1]), LogProbs.reshape(-1, LogProbs.shape[^1]), TailLogProb.reshape(-1, 1), TailCount);
}
