using Harness.Modeling;
using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>Which distance between the teacher's and the student's next-token distributions logit KD minimises.</summary>
public enum DivergenceKind
{
    /// <summary>KL(p_T ‖ p_S) = Σ p_T (log p_T − log p_S): mode-covering; Hinton et al. 2015's choice.</summary>
    ForwardKl,
    /// <summary>KL(p_S ‖ p_T) = Σ p_S (log p_S − log p_T): mode-seeking (Gu et al. 2024, "MiniLLM").</summary>
    ReverseKl,
    /// <summary>
    /// Generalised Jensen–Shannon JSD(β) = β·KL(p_T ‖ m) + (1−β)·KL(p_S ‖ m), m = β·p_T + (1−β)·p_S
    /// (Agarwal et al. 2024, "On-Policy Distillation of Language Models: Learning from Self-Generated Mistakes", GKD).
    /// It interpolates between forward KL (β→0, scaled) and reverse KL (β→1, scaled).
    /// </summary>
    GeneralizedJsd,
}

public static class Divergence
{
    public static IReadOnlyDictionary<string, DivergenceKind> Names { get; } = new Dictionary<string, DivergenceKind>
    {
        ["forward-kl"] = DivergenceKind.ForwardKl,
        ["reverse-kl"] = DivergenceKind.ReverseKl,
        ["jsd"] = DivergenceKind.GeneralizedJsd,
    };

    /// <summary>
    /// Mean over tokens of D(p_T ‖ p_S) from log-probabilities (…, V).  Teacher log-probs carry no gradient.
    /// </summary>
    public static Tensor Mean(DivergenceKind kind, Tensor teacherLogProbs, Tensor studentLogProbs, double beta = 0.5)
    {
        var perToken = kind switch
        {
            DivergenceKind.ForwardKl => (teacherLogProbs.exp() * teacherLogProbs.Minus(studentLogProbs)).sum(-1),
            DivergenceKind.ReverseKl => (studentLogProbs.exp() * studentLogProbs.Minus(teacherLogProbs)).sum(-1),
            DivergenceKind.GeneralizedJsd => Jsd(teacherLogProbs, studentLogProbs, beta),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return perToken.mean();
    }

    /// <summary>
    /// Mean over tokens of D(p_T ‖ p_S) with the teacher as top-k + uniform tail, rows (N, k) against student
    /// log-probs (N, V).  Forward and reverse KL have closed forms that touch the student's dense log-probs only through
    /// a gather at the k ids and one sum, so the dense teacher tensor is never built; both equal
    /// <see cref="Mean(DivergenceKind, Tensor, Tensor, double)"/> on <see cref="TopKDistribution.Dense"/> (tested).
    /// With t = tail log-prob, u = e^t, m = V − k tail tokens, s = student log-probs, S = Σ_V s_j:
    /// <list type="bullet">
    /// <item>KL(p_T ‖ p_S) = Σ_k p_i (l_i − s_i) + m·u·t − u·(S − Σ_k s_i);</item>
    /// <item>KL(p_S ‖ p_T) = Σ_V e^(s_j) s_j − Σ_k e^(s_i) l_i − t·(1 − Σ_k e^(s_i)).</item>
    /// </list>
    /// The generalised JSD has no such form (the mixture's log differs at every tail token) and uses the dense path.
    /// </summary>
    public static Tensor Mean(DivergenceKind kind, TopKDistribution teacher, Tensor studentLogProbs, double beta = 0.5)
    {
        if (kind == DivergenceKind.GeneralizedJsd)
            return Mean(kind, teacher.Dense().view(-1, studentLogProbs.shape[^1]), studentLogProbs, beta);
        var flat = teacher.Flatten();
        var atTop = studentLogProbs.gather(-1, flat.Ids);                                           // (N, k)
        Tensor perToken;
        if (kind == DivergenceKind.ForwardKl)
        {
            perToken = (flat.LogProbs.exp() * flat.LogProbs.Minus(atTop)).sum(-1);                    // (N)
            if (flat.TailCount > 0)
            {
                var tail = flat.TailLogProb.squeeze(-1);                                            // (N)
                var u = tail.exp();
                var studentTail = studentLogProbs.sum(-1).Minus(atTop.sum(-1));                       // Σ over the tail of s_j
                perToken = perToken.Plus(u.Times(flat.TailCount) * tail).Minus(u * studentTail);
            }
        }
        else
        {
            var studentTop = atTop.exp();                                                           // (N, k)
            perToken = (studentLogProbs.exp() * studentLogProbs).sum(-1).Minus((studentTop * flat.LogProbs).sum(-1));
            if (flat.TailCount > 0)
                perToken = perToken.Minus(flat.TailLogProb.squeeze(-1) * studentTop.sum(-1).SubtractedFrom(1));
        }
        return perToken.mean();
    }

    /// <summary>
    /// Mean over tokens of the cross-entropy H(target, p_S) = −Σ_n w_j·s_(x_j) to a sampled sparse target (Anshumann et
    /// al. 2025, <see cref="SampledDistribution"/>), rows (N, n) against student log-probs (N, V).  It differs from
    /// KL(p_T ‖ p_S) by the teacher's entropy, a constant, and its expected gradient w.r.t. the student logits is the
    /// dense forward-KL gradient softmax(s) − p_T.  Forward KL only: the estimator is not unbiased for the others.
    /// </summary>
    public static Tensor Mean(DivergenceKind kind, SampledDistribution target, Tensor studentLogProbs)
    {
        if (kind != DivergenceKind.ForwardKl)
            throw new ArgumentException($"the sampled KD target supports forward-kl only, not {kind} (config validation refuses it)", nameof(kind));
        var flat = target.Flatten();
        var atSampled = studentLogProbs.gather(-1, flat.Ids);                                       // (N, n)
        return (flat.Weights * atSampled).sum(-1).mean().neg();
    }

    static Tensor Jsd(Tensor teacherLogProbs, Tensor studentLogProbs, double beta)
    {
        // log m = logsumexp(log β + log p_T, log(1−β) + log p_S), stable for tiny probabilities.
        var logMixture = stack([teacherLogProbs.PlusScalar(Math.Log(beta)), studentLogProbs.PlusScalar(Math.Log(1 - beta))]).logsumexp(0);
        var klTeacher = (teacherLogProbs.exp() * teacherLogProbs.Minus(logMixture)).sum(-1);
        var klStudent = (studentLogProbs.exp() * studentLogProbs.Minus(logMixture)).sum(-1);
        return klTeacher.Times(beta).Plus(klStudent.Times(1 - beta));
    }
}
