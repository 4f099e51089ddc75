using Harness.Results;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.IO;

namespace Harness.Sweep.Execution;

/// <summary>One unit of plan.json: its index in the expanded sweep (= the Slurm array index) and its stable key.</summary>
public sealed record PlannedUnit(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("student")] string Student,
    [property: JsonPropertyName("budget")] string Budget,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("train_flops")] double TrainFlops,
    [property: JsonPropertyName("group")] int Group = -1)
{
    public string Label => $"{Method} {Student} {Budget} seed {Seed}";
}

/// <summary>
/// plan.json in a run folder: the units of the sweep with their keys, written by the prepare stage (keys depend on the
/// trained tokenizer and the teacher, so only prepare knows them).  Executors, `status` and `submit` read it.
/// </summary>
public static class RunPlan
{
    public const string FileName = RunFolderLayout.PlanFile;

    public static void Write(string runDirectory, IEnumerable<SweepUnit> units) =>
        AtomicFile.WriteAllText(new RunFolderLayout(runDirectory).Plan, JsonSerializer.Serialize(
            units.Select(u => new PlannedUnit(u.Index, u.Key, u.Method, u.Student, u.Budget, u.Seed, u.Tokens, u.PredictedTrainFlops, u.Group)).ToList(),
            new JsonSerializerOptions(HarnessJson.Options) { WriteIndented = true }));

    /// <summary>The plan, or null when the prepare stage has not written it yet.</summary>
    public static IReadOnlyList<PlannedUnit>? TryRead(string runDirectory)
    {
        var path = new RunFolderLayout(runDirectory).Plan;
        return File.Exists(path) ? JsonSerializer.Deserialize<List<PlannedUnit>>(File.ReadAllText(path), HarnessJson.Options) : null;
    }

    /// <summary>
    /// What an executor launches: one index per group (a WSD trunk with its cooldown branches, which start from the
    /// trunk's fork checkpoints; a cosine run alone), the group's first unit in plan order that is not finished.  The
    /// worker given that index trains it and the rest of its group after it (<see cref="RestOfGroup"/>), so a branch
    /// never starts before its trunk and the launches of one sweep never wait on each other.
    /// </summary>
    public static IReadOnlyList<int> LaunchIndices(IReadOnlyList<SweepUnit> units, Func<SweepUnit, bool> finished) =>
        units.GroupBy(u => u.Group).Select(g => g.OrderBy(u => u.Index).FirstOrDefault(u => !finished(u)))
             .Where(u => u is not null).Select(u => u!.Index).Order().ToList();

    /// <summary>The units a worker launched with <paramref name="index"/> trains, in order: that unit and the units of its
    /// group after it (plan order: a trunk before its branches).  Just the unit for plans written before groups.</summary>
    public static IReadOnlyList<int> RestOfGroup(IReadOnlyList<PlannedUnit>? plan, int index)
    {
        var unit = plan?.FirstOrDefault(u => u.Index == index);
        if (unit is null || unit.Group < 0) return [index];
        return plan!.Where(u => u.Group == unit.Group && u.Index >= index).Select(u => u.Index).Order().ToList();
    }
}
