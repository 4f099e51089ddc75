using Harness.Config;
using Harness.IO;

namespace Harness.Evaluation;

/// <summary>
/// The config's <c>evaluation.tasks</c> against <see cref="TaskRegistry"/>, at validation time rather than after training:
/// every name must be a plain name (it becomes part of result keys and file names, see IO/PathNames) and a registered task.
/// </summary>
internal sealed class TaskConfigCheck : IExperimentCheck
{
    public IEnumerable<string> Validate(ExperimentConfig config, string path)
    {
        var at = $"{path}.evaluation.tasks";
        var spec = config.Evaluation.Tasks ?? "";
        if (spec.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) yield break;
        var names = spec.Split(',', StringSplitOptions.TrimEntries);
        if (names.All(n => n.Length == 0))
        {
            yield return $"{at}: value {PathNames.Show(spec)} is empty; use \"all\", \"none\" or a comma-separated list of: {string.Join(", ", TaskRegistry.Names)}.";
            yield break;
        }
        foreach (var name in names)
        {
            if (name is "all" || name == TaskRegistry.LastWord) continue;
            if (PathNames.Problem(name) is { } rule)
            {
                yield return $"{at}: task name {PathNames.Show(name)} {rule}; use \"all\", \"none\" or names from: {string.Join(", ", TaskRegistry.Names)}.";
                continue;
            }
            string? unknown = null;
            try { TaskRegistry.Get(name); }
            catch (UserInputException) { unknown = $"{at}: value \"{name}\" is not a task; valid: all, none, {string.Join(", ", TaskRegistry.Names)}."; }
            if (unknown is not null) yield return unknown;
        }
    }
}
