using Harness.Config;
using Harness.Modeling;
using Harness.Training;
using Harness.Data;

namespace Harness.Distillation.Methods;

/// <summary>
/// One way of training a student (torchdistill style: a typed piece per method, found by name in
/// <see cref="MethodRegistry"/>).  A method says what it needs from the teacher, builds the student's objective (a
/// weighted sum of loss terms) and its training stream, and says which compute it is charged.  Adding a method means
/// one new file in this folder plus its entry in <see cref="MethodRegistry"/> (and its settings record in
/// <c>Config/</c> when it has settings).
/// </summary>
public interface IDistillationMethod
{
    /// <summary>The name used in configs (<c>methods</c>), unit keys and result rows (<c>method</c>); never changes.</summary>
    string Name { get; }

    /// <summary>The paper the method follows.</summary>
    string Citation { get; }

    /// <summary>True when units of this method need a teacher checkpoint (its hash enters their keys).</summary>
    bool NeedsTeacher { get; }

    /// <summary>How the method reads the teacher's per-position distribution while the student trains.</summary>
    TeacherLogitUse LogitUse(ExperimentConfig config);

    /// <summary>True when the student trains on the teacher's synthetic corpus (<see cref="SyntheticCorpus"/>).</summary>
    bool TrainsOnSyntheticCorpus { get; }

    /// <summary>Predicted wall time relative to scratch, for shard balancing and <c>--time auto</c> (the dry-run's
    /// rough ratio on CPU).</summary>
    double PredictedCostFactor { get; }

    /// <summary>The method's part of a unit key: its settings and the teacher it depends on.</summary>
    MethodIdentity Identity(ExperimentConfig config, string? teacherHash);

    /// <summary>The loss terms the objective sums, with their weights under <paramref name="config"/>.</summary>
    IReadOnlyList<LossTerm> Terms(ExperimentConfig config);

    /// <summary>The objective the student minimises.</summary>
    ITrainingObjective Objective(MethodInputs inputs);

    /// <summary>The token stream the student trains on.</summary>
    TokenIds TrainingStream(MethodInputs inputs);

    /// <summary>The compute this method is charged beyond the student's own training.</summary>
    MethodFlopRates Flops(MethodInputs inputs);

    /// <summary>Problems with this method under <paramref name="config"/> and the loaded teacher, before any unit runs.</summary>
    IEnumerable<string> Preflight(ExperimentConfig config, GptConfig teacher, int vocabSize) => [];
}

/// <summary>How a method reads the teacher's distribution during student training.</summary>
public enum TeacherLogitUse
{
    /// <summary>Not at all (scratch, seq-KD).</summary>
    None,
    /// <summary>A teacher forward pass on every training batch.</summary>
    Online,
    /// <summary>The top-k teacher-logit cache (<see cref="TeacherLogitCache"/>), filled on first read.</summary>
    Cached,
}

/// <summary>
/// A method's contribution to a unit key.  The property names and types are those the key has always hashed
/// (<c>kd</c>, <c>seq_kd</c>, <c>teacher</c>), so keys of existing results stay valid.
/// </summary>
public sealed record MethodIdentity(KdSpec? Kd, SeqKdSpec? SeqKd, string? Teacher)
{
    public static MethodIdentity None { get; } = new(null, null, null);
}

/// <summary>One weighted term of an objective: L = Σ weight·term.</summary>
/// <param name="Name">Short name, e.g. "ce" or "tau2-divergence".</param>
/// <param name="Weight">The term's weight in the sum.</param>
/// <param name="Formula">The term in symbols, e.g. "CE(y, p_S)".</param>
public sealed record LossTerm(string Name, double Weight, string Formula);

/// <summary>What a method may use to build a unit's objective, stream and accounting.</summary>
/// <param name="Config">The experiment (method settings: <c>kd</c>, <c>seq_kd</c>).</param>
/// <param name="VocabSize">The tokenizer's vocabulary.</param>
/// <param name="TrainTokens">The training split's token stream (in memory, or a token store's memory map).</param>
/// <param name="Teacher">The teacher model (null when the experiment has none).</param>
/// <param name="TeacherPretrainFlops">The teacher's whole pre-training FLOPs (0 when unknown or none).</param>
/// <param name="LogitCache">The opened teacher-logit cache, when the run uses one.</param>
/// <param name="Synthetic">The teacher's synthetic corpus, when the unit's method trains on it.</param>
/// <param name="Seed">The unit's seed (seeds the draws of <c>kd.targets: sampled</c>).</param>
public sealed record MethodInputs(ExperimentConfig Config, int VocabSize, TokenIds TrainTokens, Gpt? Teacher, double TeacherPretrainFlops,
                                  TeacherLogitCache? LogitCache = null, SyntheticCorpus.Result? Synthetic = null, int Seed = 0)
{
    /// <summary>Teacher forward FLOPs per token (0 without a teacher), <see cref="ModelMath.ForwardFlopsPerToken(GptConfig)"/>.</summary>
    public double TeacherForwardPerToken => Teacher is null ? 0 : ModelMath.ForwardFlopsPerToken(Teacher.Config);
}

/// <summary>
/// The compute a unit of one method is charged beyond student training (README "Compute accounting"); all 0 for
/// scratch.  The sweep's unit accounting turns these rates into the FLOP columns of every curve point.
/// </summary>
public sealed record MethodFlopRates
{
    public static MethodFlopRates None { get; } = new();

    /// <summary>Teacher forward FLOPs per training token spent online (logit KD without the cache).</summary>
    public double TeacherOnlinePerToken { get; init; }
    /// <summary>Teacher forward FLOPs per token of each distinct cached window the unit reads (logit KD with the
    /// cache): the cache share is distinct windows × T × this.</summary>
    public double TeacherCachedPerToken { get; init; }
    /// <summary>FLOPs spent generating the synthetic corpus (seq-KD), charged in proportion to the tokens used.</summary>
    public double SyntheticGeneration { get; init; }
    /// <summary>Tokens in the synthetic corpus.</summary>
    public long SyntheticTokens { get; init; }
    /// <summary>The teacher's whole pre-training FLOPs (every method with a teacher).</summary>
    public double TeacherPretrain { get; init; }
}
