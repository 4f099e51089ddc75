using System.Text.RegularExpressions;
using Harness.Evaluation.Benchmarks;
using Harness.Evaluation.Tasks;

namespace Harness.Evaluation;

/// <summary>
/// Names → tasks.  The fixed tasks are "grammar", "knowledge" and "arithmetic_2d"; "arithmetic_&lt;N&gt;d" (N = 1..6)
/// picks another difficulty.  "last_word" is built from held-out corpus text, so it exists only when the caller passes
/// that text to <see cref="Parse"/>.  The standard lm-eval tasks (<see cref="StandardTasks"/>: hellaswag, arc_easy, …,
/// wikitext) are read from the data folder of <see cref="StandardTaskOptions"/> and are chosen by name only ("all"
/// keeps meaning the harness's own tasks, so existing configs score what they scored).
/// </summary>
public static partial class TaskRegistry
{
    public const string LastWord = LastWordTask.TaskName;

    static readonly Lazy<IReadOnlyList<IEvaluationTask>> all = new(() => [GrammarTask.Load(), KnowledgeTask.Load(), new ArithmeticTask(2)]);

    /// <summary>The fixed tasks (those that need no corpus text).</summary>
    public static IReadOnlyList<IEvaluationTask> All => all.Value;

    /// <summary>Names accepted by <see cref="Get"/> and <see cref="Parse"/>, for messages.</summary>
    public static IReadOnlyList<string> Names => [.. All.Select(t => t.Name), "arithmetic_<N>d (N = 1..6)", $"{LastWord} (needs held-out text)",
        .. StandardTasks.Names.Select(n => $"{n} (needs evaluation.data_dir)")];

    /// <summary>
    /// Every problem with <paramref name="spec"/> before any work starts: unknown names (all of them, with the valid
    /// ones) and, for standard tasks, a missing data folder or missing files (<see cref="StandardTasks.Check"/>).
    /// Reads no data file; "none" is valid.
    /// </summary>
    public static IReadOnlyList<string> Problems(string spec, StandardTaskOptions? standard, bool heldOutTextAvailable = true)
    {
        if ((spec ?? "").Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var names = (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) return [$"task list '{spec}' is empty; use \"all\" or a comma-separated list of: {string.Join(", ", Names)}."];
        var problems = new List<string>();
        foreach (var name in names)
        {
            bool known = name == "all" || TryGet(name) is not null || StandardTasks.IsStandard(name) || (name == LastWord && heldOutTextAvailable);
            if (!known) problems.Add($"'{name}' is not a task; valid: all, {string.Join(", ", Names)}.");
        }
        if (standard is not null || names.Any(StandardTasks.IsStandard))
            problems.AddRange(StandardTasks.Check(names, standard ?? new StandardTaskOptions(null)));
        return problems;
    }

    /// <summary>True when <paramref name="spec"/> names a standard (lm-eval) task.</summary>
    public static bool HasStandardTask(string spec) =>
        (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(StandardTasks.IsStandard);

    public static IEvaluationTask Get(string name)
    {
        var task = TryGet(name.Trim());
        if (task is not null) return task;
        if (name.Trim() == LastWord)
            throw new UserInputException($"task '{LastWord}' is built from held-out corpus text; request it through the pipeline's evaluation step (TaskRegistry.Parse with held-out texts).");
        throw Unknown([name]);
    }

    static IEvaluationTask? TryGet(string name)
    {
        var fixedTask = All.FirstOrDefault(t => t.Name == name);
        if (fixedTask is not null) return fixedTask;
        var m = ArithmeticName().Match(name);
        return m.Success ? new ArithmeticTask(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>
    /// "all" → every fixed task (plus last_word when <paramref name="heldOutTexts"/> is given); otherwise a comma-separated
    /// list of names.  Unknown names are reported together, with the valid ones.
    /// </summary>
    /// <param name="heldOutTexts">Validation/test documents for last_word; null leaves it out of "all" and rejects it by name.</param>
    /// <param name="lastWordSeed">Seed of the last_word item draw.</param>
    /// <param name="lastWordItems">Maximum last_word items.</param>
    /// <param name="standard">Data folder and few-shot settings of the standard tasks; null rejects them by name.</param>
    public static IReadOnlyList<IEvaluationTask> Parse(string spec, IReadOnlyList<string>? heldOutTexts = null, int lastWordSeed = 1, int lastWordItems = 500,
                                                       StandardTaskOptions? standard = null)
    {
        var names = (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            throw new UserInputException($"task list '{spec}' is empty; use \"all\" or a comma-separated list of: {string.Join(", ", Names)}.");
        var tasks = new List<IEvaluationTask>();
        var unknown = new List<string>();
        foreach (var name in names)
        {
            if (name == "all")
            {
                tasks.AddRange(All);
                if (heldOutTexts is not null) tasks.Add(LastWordTask.FromHeldOutTexts(heldOutTexts, lastWordSeed, lastWordItems));
            }
            else if (name == LastWord)
            {
                if (heldOutTexts is null) unknown.Add($"{name} (needs held-out text, which this caller did not supply)");
                else tasks.Add(LastWordTask.FromHeldOutTexts(heldOutTexts, lastWordSeed, lastWordItems));
            }
            else if (TryGet(name) is { } task) tasks.Add(task);
            else if (!StandardTasks.IsStandard(name)) unknown.Add(name);
        }
        if (unknown.Count > 0) throw Unknown(unknown);
        var standardNames = names.Where(StandardTasks.IsStandard).Distinct().ToArray();
        if (standardNames.Length > 0)
        {
            var problems = StandardTasks.Check(standardNames, standard ?? new StandardTaskOptions(null));
            if (problems.Count > 0) throw new UserInputException($"standard task{(standardNames.Length > 1 ? "s" : "")} {string.Join(", ", standardNames)} cannot be loaded.", problems);
            var loaded = standardNames.ToDictionary(n => n, n => StandardTasks.Load(n, standard!));
            tasks = MergeInOrder(names, tasks, loaded); // the order of the list as given

        }
        return tasks.GroupBy(t => t.Name).Select(g => g.First()).ToArray();
    }

    /// <summary>The fixed tasks in their parsed order with the standard tasks placed where the list names them.</summary>
    static List<IEvaluationTask> MergeInOrder(string[] names, List<IEvaluationTask> fixedTasks, Dictionary<string, IEvaluationTask> standardTasks)
    {
        var result = new List<IEvaluationTask>();
        var placed = new HashSet<string>();
        foreach (var name in names)
        {
            if (standardTasks.TryGetValue(name, out var s)) { if (placed.Add(name)) result.Add(s); continue; }
            foreach (var t in fixedTasks.Where(t => !placed.Contains(t.Name) && (name == "all" ? All.Any(a => a.Name == t.Name) || t.Name == LastWord : t.Name == name)))
                if (placed.Add(t.Name)) result.Add(t);
        }
        return result;
    }

    static UserInputException Unknown(IReadOnlyList<string> names) =>
        new($"unknown evaluation task{(names.Count > 1 ? "s" : "")}: {string.Join(", ", names)}.",
            names.Select(n => $"'{n}' is not a task; valid: all, {string.Join(", ", Names)}.").ToArray());

    [GeneratedRegex("^arithmetic_([1-6])d$")]
    private static partial Regex ArithmeticName();
}
