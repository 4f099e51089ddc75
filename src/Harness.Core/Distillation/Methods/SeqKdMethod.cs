using Harness.Config;
using Harness.Training;
using Harness.Data;

namespace Harness.Distillation.Methods;

/// <summary>
/// <c>seq-kd</c> (Kim &amp; Rush 2016, "Sequence-Level Knowledge Distillation"): the teacher samples a synthetic corpus
/// (<see cref="SyntheticCorpus"/>: temperature, top-p, seed; cached by <see cref="SyntheticCorpusCache"/>) and the
/// student trains on it with L = CE(y_teacher, p_S).  Charged: the teacher's pre-training and the generation FLOPs
/// × min(1, tokens used / tokens generated).
/// </summary>
public sealed class SeqKdMethod : IDistillationMethod
{
    public const string MethodName = "seq-kd";

    public string Name => MethodName;
    public string Citation => "Kim & Rush 2016, \"Sequence-Level Knowledge Distillation\"";
    public bool NeedsTeacher => true;
    public TeacherLogitUse LogitUse(ExperimentConfig config) => TeacherLogitUse.None;
    public bool TrainsOnSyntheticCorpus => true;
    public double PredictedCostFactor => MethodRegistry.TeacherCostFactor;

    public MethodIdentity Identity(ExperimentConfig config, string? teacherHash) => new(null, config.SeqKd, teacherHash);

    public IReadOnlyList<LossTerm> Terms(ExperimentConfig config) => [new("ce", 1.0, "CE(y_teacher, p_S) on the teacher's samples")];

    public ITrainingObjective Objective(MethodInputs inputs) => new CrossEntropyObjective();

    public TokenIds TrainingStream(MethodInputs inputs) => Synthetic(inputs).Tokens;

    public MethodFlopRates Flops(MethodInputs inputs) => new()
    {
        SyntheticGeneration = Synthetic(inputs).GenerationFlops,
        SyntheticTokens = Synthetic(inputs).Tokens.Length,
        TeacherPretrain = inputs.TeacherPretrainFlops,
    };

    static SyntheticCorpus.Result Synthetic(MethodInputs inputs) =>
        inputs.Synthetic ?? throw new InvalidOperationException("seq-kd units need the synthetic corpus (the sweep loads it before the unit).");
}
