using Harness.Config;
using Harness.IO;
using Harness.Evaluation.Benchmarks;

namespace Harness.Evaluation;

/// <summary>
/// The config's <c>evaluation.tasks</c> against <see cref="TaskRegistry"/>, and the standard tasks' data files under
/// <c>evaluation.data_dir</c>, so `validate` (and every command that loads a config) reports a bad task list before
/// data preparation or a teacher load.
/// </summary>
internal static class EvaluationConfigCheck
{
    public static IEnumerable<string> Validate(ExperimentConfig config, string path)
    {
        // A task name becomes part of result keys and file names: a name that is not a plain folder name is refused by
        // that rule (IO/PathNames) before it is looked up.
        var at = $"{path}.evaluation.tasks";
        var spec = config.Evaluation.Tasks ?? "";
        if (spec.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var names = spec.Split(',', StringSplitOptions.TrimEntries);   // an empty entry ("grammar,") is refused, not skipped
        var pathProblems = names.Where(n => PathNames.Problem(n) is not null)
            .Select(n => $"{at}: task name {PathNames.Show(n)} {PathNames.Problem(n)}; use \"all\", \"none\" or names from: {string.Join(", ", TaskRegistry.Names)}.")
            .ToList();
        if (pathProblems.Count > 0) return pathProblems;
        return TaskRegistry.Problems(config.Evaluation.Tasks ?? "", EvaluationOptions.Standard(config.Evaluation)).Select(p => $"{at}: {p}");
    }
}

/// <summary>The standard tasks' options of an evaluation section.</summary>
public static class EvaluationOptions
{
    public const int DefaultFewShotSeed = 1234;

    public static StandardTaskOptions Standard(EvaluationSpec spec) =>
        new(spec.DataDir is null ? null : Path.GetFullPath(spec.DataDir), spec.NumFewShot, spec.FewShotSeed ?? DefaultFewShotSeed);

    /// <summary>Few-shot count per task as run: <paramref name="numFewShot"/> for standard tasks that take examples, else 0.</summary>
    public static IReadOnlyDictionary<string, int> NShot(IEnumerable<string> tasks, int numFewShot) =>
        tasks.Distinct().ToDictionary(t => t, t => StandardTasks.FewShotCount(t, numFewShot));

    /// <summary>Group → subtasks of the groups among <paramref name="tasks"/> (results.json's <c>group_subtasks</c>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> GroupSubtasks(IEnumerable<string> tasks) => MmluBenchmark.GroupSubtasks(tasks);
}
