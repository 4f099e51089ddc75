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
            DivergenceKind.ForwardKl => (teacherLogProbs.exp() * (teacherLogProbs - studentLogProbs)).sum(-1),
            DivergenceKind.ReverseKl => (studentLogProbs.exp() * (studentLogProbs - teacherLogProbs)).sum(-1),
            DivergenceKind.GeneralizedJsd => Jsd(teacherLogProbs, studentLogProbs, beta),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return perToken.mean();
    }

    static Tensor Jsd(Tensor teacherLogProbs, Tensor studentLogProbs, double beta)
    {
        // log m = logsumexp(log β + log p_T, log(1−β) + log p_S), stable for tiny probabilities.
        var logMixture = stack([teacherLogProbs.Add(Math.Log(beta)), studentLogProbs.Add(Math.Log(1 - beta))]).logsumexp(0);
        var klTeacher = (teacherLogProbs.exp() * (teacherLogProbs - logMixture)).sum(-1);
        var klStudent = (studentLogProbs.exp() * (studentLogProbs - logMixture)).sum(-1);
        return klTeacher.Mul(beta) + klStudent.Mul(1 - beta);
    }
}
