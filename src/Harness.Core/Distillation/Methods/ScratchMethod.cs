using Harness.Config;
using Harness.Training;
using Harness.Data;

namespace Harness.Distillation.Methods;

/// <summary>
/// <c>scratch</c>: the baseline.  L = CE(y, p_S), next-token cross-entropy on the training split (Radford et al. 2018,
/// "Improving Language Understanding by Generative Pre-Training").  No teacher, nothing charged beyond the student.
/// </summary>
public sealed class ScratchMethod : IDistillationMethod
{
    public const string MethodName = "scratch";

    public string Name => MethodName;
    public string Citation => "Radford et al. 2018, \"Improving Language Understanding by Generative Pre-Training\"";
    public bool NeedsTeacher => false;
    public TeacherLogitUse LogitUse(ExperimentConfig config) => TeacherLogitUse.None;
    public bool TrainsOnSyntheticCorpus => false;
    public double PredictedCostFactor => 1.0;

    public MethodIdentity Identity(ExperimentConfig config, string? teacherHash) => MethodIdentity.None;

    public IReadOnlyList<LossTerm> Terms(ExperimentConfig config) => [new("ce", 1.0, "CE(y, p_S)")];

    public ITrainingObjective Objective(MethodInputs inputs) => new CrossEntropyObjective();

    public TokenIds TrainingStream(MethodInputs inputs) => inputs.TrainTokens;

    public MethodFlopRates Flops(MethodInputs inputs) => MethodFlopRates.None;
}
