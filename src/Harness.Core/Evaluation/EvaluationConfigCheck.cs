using Harness.Config;
using Harness.Evaluation.Benchmarks;

namespace Harness.Evaluation;

/// <summary>
/// The config's <c>evaluation.tasks</c> against <see cref="TaskRegistry"/>, and the standard tasks' data files under
/// <c>evaluation.data_dir</c>, so `validate` (and every command that loads a config) reports a bad task list before
/// data preparation or a teacher load.
/// </summary>
internal sealed class EvaluationConfigCheck : IExperimentCheck
{
    public IEnumerable<string> Validate(ExperimentConfig config, string path) =>
        TaskRegistry.Problems(config.Evaluation.Tasks, EvaluationOptions.Standard(config.Evaluation))
            .Select(p => $"{path}.evaluation.tasks: {p}");
}

/// <summary>The standard tasks' options of an evaluation section.</summary>
public static class EvaluationOptions
{
    public const int DefaultFewShotSeed = 1234;

    public static StandardTaskOptions Standard(EvaluationSpec spec) =>
        new(spec.DataDir is null ? null : Path.GetFullPath(spec.DataDir), spec.NumFewShot, spec.FewShotSeed ?? DefaultFewShotSeed);

    /// <summary>Few-shot count per task as run: <paramref name="numFewShot"/> for standard tasks that take examples, else 0.</summary>
    public static IReadOnlyDictionary<string, int> NShot(IEnumerable<string> tasks, int numFewShot) =>
        tasks.Distinct().ToDictionary(t => t, t => StandardTasks.IsStandard(t) && StandardTasks.Source(t).FewShotSplit is not null ? numFewShot : 0);
}
