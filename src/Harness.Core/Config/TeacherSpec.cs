namespace Harness.Config;

/// <summary>Where the teacher comes from: a checkpoint folder, or a model + training to run first.</summary>
public sealed record TeacherSpec
{
    public string? Checkpoint { get; init; }
    /// <summary>Train config used when <see cref="Checkpoint"/> does not exist yet (regenerates it).</summary>
    public string? TrainConfig { get; init; }
}
