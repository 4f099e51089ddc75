using Harness.Config;
using Harness.Training;
using Harness.Data;

namespace Harness.Distillation.Methods;

/// <summary>
/// <c>logit-kd</c> (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"):
/// L = α·CE(y, p_S) + (1−α)·τ²·D(p_T^τ ‖ p_S^τ), D one of <see cref="Divergence.Names"/> (<see cref="LogitKdObjective"/>).
/// The teacher's distribution comes from the top-k cache (<c>kd.cache</c>) or a forward pass on every batch, and is
/// matched as <c>kd.targets</c> says (top-k + tail, dense, or sampled: <see cref="KdTargets"/>).
/// Charged: the teacher's pre-training, and either its online forwards (tokens × C_fwd) or the cache entries the
/// student reads (distinct windows × T × C_fwd).
/// </summary>
public sealed class LogitKdMethod : IDistillationMethod
{
    public const string MethodName = "logit-kd";

    public string Name => MethodName;
    public string Citation => "Hinton, Vinyals & Dean 2015, \"Distilling the Knowledge in a Neural Network\"";
    public bool NeedsTeacher => true;
    public TeacherLogitUse LogitUse(ExperimentConfig config) => config.Kd.Cache ? TeacherLogitUse.Cached : TeacherLogitUse.Online;
    public bool TrainsOnSyntheticCorpus => false;
    public double PredictedCostFactor => MethodRegistry.TeacherCostFactor;

    // The cache flag changes how the teacher is served, not the result (tested to float16 precision): not in the key.
    // kd.targets: top_k written out is the default, so it keys like an unset one (existing keys unchanged).
    public MethodIdentity Identity(ExperimentConfig config, string? teacherHash) =>
        new(config.Kd with { Cache = false, Targets = config.Kd.TargetsOrDefault == KdSpec.TopKTargets ? null : config.Kd.Targets }, null, teacherHash);

    public IReadOnlyList<LossTerm> Terms(ExperimentConfig config) =>
    [
        new("ce", config.Kd.Alpha, "CE(y, p_S)"),
        new("tau2-divergence", 1 - config.Kd.Alpha, $"τ²·{config.Kd.Divergence}(p_T^τ ‖ p_S^τ), τ = {config.Kd.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}"),
    ];

    public ITrainingObjective Objective(MethodInputs inputs)
    {
        var kd = inputs.Config.Kd;
        ITeacherSignal signal = inputs.LogitCache is not null ? new CachedTeacher(inputs.LogitCache, inputs.VocabSize)
            : new OnlineTeacher(inputs.Teacher ?? throw new InvalidOperationException("logit-kd needs a teacher (config validation requires teacher.checkpoint)."));
        // kd.targets (README "KD targets"): dense and sampled are online (validation requires kd.cache: false); top_k is
        // the cache's top-k + uniform tail, or today's dense online teacher when kd.cache is false.
        if (KdTargets.Names[kd.TargetsOrDefault] == KdTargetKind.Sampled)
            signal = new SampledTeacher(signal, kd.SamplesOrDefault, inputs.Seed);
        return new LogitKdObjective(signal, Divergence.Names[kd.Divergence], kd.Alpha, kd.Temperature, kd.Beta);
    }

    public TokenIds TrainingStream(MethodInputs inputs) => inputs.TrainTokens;

    public MethodFlopRates Flops(MethodInputs inputs) => new()
    {
        TeacherOnlinePerToken = inputs.LogitCache is null ? inputs.TeacherForwardPerToken : 0,
        TeacherCachedPerToken = inputs.LogitCache is not null ? inputs.TeacherForwardPerToken : 0,
        TeacherPretrain = inputs.TeacherPretrainFlops,
    };

    public IEnumerable<string> Preflight(ExperimentConfig config, GptConfig teacher, int vocabSize)
    {
        foreach (var (name, spec) in config.Students)
        {
            int ctx = spec.Resolve(vocabSize).ContextLength;
            if (ctx != teacher.ContextLength)
                yield return $"$.students.{name}.context_length: value {ctx} differs from the teacher's {teacher.ContextLength}; {Name} compares the two models' distributions position by position, so set context_length {teacher.ContextLength} (or drop {Name}).";
        }
        if (config.Kd.TopK > teacher.VocabSize)
            yield return $"$.kd.top_k: value {config.Kd.TopK} is larger than the teacher's vocabulary ({teacher.VocabSize}); use at most {teacher.VocabSize}.";
    }
}
