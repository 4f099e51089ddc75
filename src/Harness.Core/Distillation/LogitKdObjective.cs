using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

/// <summary>
/// Logit distillation (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"):
/// L = α·CE(y, p_S) + (1−α)·τ²·D(p_T^τ ‖ p_S^τ), where p^τ = softmax(z/τ).  The τ² keeps the soft term's gradient
/// scale independent of τ (Hinton et al. §2).  α = 1 is exactly the from-scratch objective.
/// </summary>
public sealed class LogitKdObjective : ITrainingObjective
{
    readonly ITeacherSignal teacher;
    readonly DivergenceKind divergence;
    readonly double alpha;
    readonly double temperature;
    readonly double beta;

    public LogitKdObjective(ITeacherSignal teacher, DivergenceKind divergence, double alpha, double temperature, double beta = 0.5)
    {
        this.teacher = teacher;
        this.divergence = divergence;
        this.alpha = alpha;
        this.temperature = temperature;
        this.beta = beta;
    }

    public string Name => "logit-kd";
    public double OnlineTeacherFlopsPerToken => teacher.OnlineFlopsPerToken;
    public ITeacherSignal Teacher => teacher;
    /// <summary>CE(y, p_S) of the last batch: the α-weighted hard term, before weighting.</summary>
    public Tensor? LastCrossEntropy { get; private set; }

    public Tensor Loss(Tensor studentLogits, TrainingBatch batch)
    {
        var v = studentLogits.shape[2];
        var flat = studentLogits.view(-1, v);                                         // (B·T, V)
        var hard = F.cross_entropy(flat, batch.Y.view(-1));
        LastCrossEntropy = hard;
        if (alpha >= 1.0) return hard;
        var studentLogProbs = F.log_softmax(flat.DividedBy(temperature), 1);                // (B·T, V)
        var divergenceMean = teacher switch
        {
            ISampledTeacherSignal sampled => Divergence.Mean(divergence, sampled.Sampled(batch, temperature), studentLogProbs),   // (B·T, n), no grad
            ITopKTeacherSignal sparse => Divergence.Mean(divergence, sparse.TopK(batch, temperature), studentLogProbs, beta),   // (B·T, k) + tail, no grad
            _ => Divergence.Mean(divergence, teacher.LogProbs(batch, temperature).view(-1, v), studentLogProbs, beta),
        };
        var soft = divergenceMean.Times(temperature * temperature);
        return hard.Times(alpha).Plus(soft.Times(1 - alpha));
    }
}
