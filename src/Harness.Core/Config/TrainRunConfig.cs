namespace Harness.Config;

/// <summary>`harness train CONFIG`: one model trained on the data, saved as a checkpoint.</summary>
public sealed record TrainRunConfig : IValidatable
{
    public string Name { get; init; } = "";
    public DataSpec Data { get; init; } = new();
    public ModelSpec Model { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
    /// <summary>Checkpoint folder, relative to the repository root (or absolute).</summary>
    public string Output { get; init; } = "";

    public IReadOnlyList<string> Validate(string path)
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) p.Add($"{path}.name: must be a non-empty string (used in output paths).");
        if (string.IsNullOrWhiteSpace(Output)) p.Add($"{path}.output: must name the checkpoint folder, e.g. \"models/{(Name == "" ? "my-model" : Name)}\".");
        p.AddRange(DataSpecValidator.Validate(Data, $"{path}.data"));
        p.AddRange(Model.Validate($"{path}.model"));
        p.AddRange(Training.Validate($"{path}.training"));
        return p;
    }
}
