using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.Results;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>
/// The compute of one sweep unit at each of its curve points: the student's training (Kaplan et al. 2020, via
/// <see cref="ModelMath.TrainFlopsPerToken(GptConfig)"/>) plus what its method is charged (<see cref="MethodFlopRates"/>).
/// Tokens and micro-batches count from step 0, so a WSD branch's point is that of a whole run of its budget.
/// </summary>
public sealed class UnitAccounting
{
    readonly SweepUnit unit;
    readonly MethodFlopRates rates;
    readonly double trainPerToken;
    readonly long microBatchesPerStep;
    readonly WindowCounter windows;

    /// <param name="unit">The unit (its student shape sets the training FLOPs per token and T).</param>
    /// <param name="rates">What its method is charged.</param>
    /// <param name="sampler">The unit's batch sampler, replayed to count the distinct windows it read.</param>
    /// <param name="microBatchesPerStep">Gradient-accumulation micro-batches per optimiser step.</param>
    public UnitAccounting(SweepUnit unit, MethodFlopRates rates, BatchSampler sampler, long microBatchesPerStep)
    {
        this.unit = unit;
        this.rates = rates;
        this.microBatchesPerStep = microBatchesPerStep;
        trainPerToken = ModelMath.TrainFlopsPerToken(unit.Model);
        windows = new WindowCounter(sampler);
    }

    /// <summary>Teacher forward FLOPs per token spent online (the row's <c>flops_teacher_inference_spent</c> rate).</summary>
    public double OnlineTeacherPerToken => rates.TeacherOnlinePerToken;

    /// <summary>The teacher's pre-training FLOPs charged to this unit.</summary>
    public double TeacherPretrain => rates.TeacherPretrain;

    /// <summary>The FLOP columns after <paramref name="step"/> optimiser steps and <paramref name="tokens"/> tokens (Results'
    /// <see cref="FlopBreakdown"/>, the one type the rows and the estimator use).  Call in ascending step order (the
    /// window count replays the sampler once).</summary>
    public FlopBreakdown At(int step, long tokens) => new(
        StudentTrain: tokens * trainPerToken,
        TeacherInference: rates.TeacherOnlinePerToken != 0 ? tokens * rates.TeacherOnlinePerToken : 0,
        TeacherCacheShare: rates.TeacherCachedPerToken != 0 ? windows.After(step * microBatchesPerStep) * unit.Model.ContextLength * rates.TeacherCachedPerToken : 0,
        SyntheticGeneration: rates.SyntheticTokens > 0 ? rates.SyntheticGeneration * Math.Min(1.0, (double)tokens / rates.SyntheticTokens) : 0,
        TeacherPretrain: rates.TeacherPretrain);

    /// <summary>
    /// Distinct context-aligned windows a unit has read, replayed from its stateless sampler (so it is right after a
    /// resume too).  Queried in ascending order along the curve, so each micro-batch is replayed once.
    /// </summary>
    sealed class WindowCounter(BatchSampler sampler)
    {
        readonly HashSet<long> seen = [];
        long replayed;

        public long After(long microBatches)
        {
            for (; replayed < microBatches; replayed++)
                foreach (var s in sampler.Starts(replayed)) seen.Add(s);
            return seen.Count;
        }
    }
}
