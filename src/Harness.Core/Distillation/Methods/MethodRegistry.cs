namespace Harness.Distillation.Methods;

/// <summary>
/// Every training method by its name (torchdistill style).  An unknown name fails with the list of registered ones.
/// The order is the one error messages and README list.
/// </summary>
public static class MethodRegistry
{
    /// <summary>Predicted cost of a unit that runs or reads a teacher, relative to scratch (the dry-run's rough ratio on CPU).</summary>
    public const double TeacherCostFactor = 1.4;

    static readonly IDistillationMethod[] all = [new ScratchMethod(), new LogitKdMethod(), new SeqKdMethod()];
    static readonly Dictionary<string, IDistillationMethod> byName = all.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static IReadOnlyList<IDistillationMethod> All => all;

    /// <summary>Registered names, in registry order: scratch, logit-kd, seq-kd.</summary>
    public static IReadOnlyList<string> Names { get; } = all.Select(m => m.Name).ToArray();

    public static bool TryGet(string name, out IDistillationMethod method) => byName.TryGetValue(name, out method!);

    /// <summary>The method called <paramref name="name"/>; a name nobody registered is a <see cref="UserInputException"/>
    /// listing the registered ones.</summary>
    public static IDistillationMethod Get(string name) =>
        byName.TryGetValue(name, out var method) ? method
            : throw new UserInputException($"No method \"{name}\" registered.",
                [$"method: value \"{name}\" is not a registered method; registered: {string.Join(", ", Names)}."]);

    /// <summary>The config's <c>methods</c> list, checked: each registered, and a teacher wherever one is needed.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string> methods, string? teacherCheckpoint, string path)
    {
        var p = new List<string>();
        if (methods.Count == 0) p.Add($"{path}.methods: needs at least one of {string.Join(", ", Names)}.");
        for (int i = 0; i < methods.Count; i++)
            if (!byName.ContainsKey(methods[i]))
                p.Add($"{path}.methods[{i}]: value \"{methods[i]}\" is not a method; valid: {string.Join(", ", Names)}.");
        // An unregistered name is listed here too: it is reported above, and the teacher hint stays complete.
        var needTeacher = methods.Where(m => !byName.TryGetValue(m, out var method) || method.NeedsTeacher).ToList();
        if (needTeacher.Count > 0 && teacherCheckpoint is null)
            p.Add($"{path}.teacher.checkpoint: methods {string.Join(", ", needTeacher)} need a teacher; set a checkpoint folder (e.g. \"models/teacher-tiny\").");
        return p;
    }
}
