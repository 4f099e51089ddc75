namespace Harness.Config;

/// <summary>
/// A check of an experiment config that needs a later stage's registry (the registered methods, the divergences), so
/// Config can stay a leaf: the stage implements this next to its registry, and <see cref="ExperimentConfig.Validate"/>
/// runs every implementation in Harness.Core (found once, by type; torchdistill's registries play the same role).
/// </summary>
public interface IExperimentCheck
{
    /// <summary>Every problem, each naming the JSON path under <paramref name="path"/>, the value and the valid options.</summary>
    IEnumerable<string> Validate(ExperimentConfig config, string path);
}

/// <summary>The <see cref="IExperimentCheck"/>s of Harness.Core, in type-name order so messages come out in a stable order.</summary>
public static class ExperimentChecks
{
    static readonly Lazy<IReadOnlyList<IExperimentCheck>> all = new(() =>
        typeof(IExperimentCheck).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IExperimentCheck).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IExperimentCheck)Activator.CreateInstance(t, nonPublic: true)!)
            .ToList());

    public static IReadOnlyList<IExperimentCheck> All => all.Value;
}
