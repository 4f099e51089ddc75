using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Config;

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
    [property: JsonPropertyName("train_flops")] double TrainFlops)
{
    public string Label => $"{Method} {Student} {Budget} seed {Seed}";
}

/// <summary>
/// plan.json in a run folder: the units of the sweep with their keys, written by the prepare stage (keys depend on the
/// trained tokenizer and the teacher, so only prepare knows them).  Executors, `status` and `submit` read it.
/// </summary>
public static class RunPlan
{
    public const string FileName = "plan.json";

    public static void Write(string runDirectory, IEnumerable<SweepUnit> units) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(
            units.Select(u => new PlannedUnit(u.Index, u.Key, u.Method, u.Student, u.Budget, u.Seed, u.Tokens, u.PredictedTrainFlops)).ToList(),
            new JsonSerializerOptions(JsonConfigReader.Options) { WriteIndented = true }));

    /// <summary>The plan, or null when the prepare stage has not written it yet.</summary>
    public static IReadOnlyList<PlannedUnit>? TryRead(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<List<PlannedUnit>>(File.ReadAllText(path), JsonConfigReader.Options) : null;
    }
}
