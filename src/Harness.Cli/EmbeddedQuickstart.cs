using Harness.Config;

namespace Harness.Cli;

/// <summary>
/// What the embedded quickstart needs outside a clone (an installed tool run in any folder): its teacher's train config
/// (embedded as <c>teacher-tiny.json</c>) and the teacher checkpoint (shipped beside harness.dll in
/// <c>models/teacher-tiny/</c>).  Both are put where the quickstart's config looks for them, relative to the run's root
/// (<see cref="RepositoryPaths.Root"/>), only when missing there, so the config, its hash and its results stay those of a
/// clone.  Without a shipped checkpoint the sweep trains the teacher from the train config first (same data, seed and
/// settings).
/// </summary>
public static class EmbeddedQuickstart
{
    public const string TeacherTrainResource = "teacher-tiny.json";

    /// <summary>Writes the embedded teacher train config and copies the shipped checkpoint under <paramref name="root"/>
    /// where <paramref name="config"/>'s teacher paths point, when they are missing; returns what it put there.</summary>
    public static IReadOnlyList<string> Materialize(ExperimentConfig config, string root, string? toolDirectory = null)
    {
        toolDirectory ??= AppContext.BaseDirectory;
        var placed = new List<string>();
        if (config.Teacher.TrainConfig is { } trainConfig)
        {
            var path = Harness.IO.PathNames.ConfigPath(root, trainConfig, "$.teacher.train_config");
            if (!File.Exists(path))
            {
                using var stream = typeof(EmbeddedQuickstart).Assembly.GetManifestResourceStream(TeacherTrainResource)!;
                Harness.IO.AtomicFile.WriteAllText(path, new StreamReader(stream).ReadToEnd());
                placed.Add(path);
            }
        }
        if (config.Teacher.Checkpoint is { } checkpoint)
        {
            var target = Harness.IO.PathNames.ConfigPath(root, checkpoint, "$.teacher.checkpoint");
            var shipped = Path.Combine(toolDirectory, "models", Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint)));
            if (!File.Exists(Path.Combine(target, Harness.Modeling.Checkpoint.ConfigFile)) && File.Exists(Path.Combine(shipped, Harness.Modeling.Checkpoint.ConfigFile))
                && Path.GetFullPath(shipped) != Path.GetFullPath(target))
            {
                Directory.CreateDirectory(target);
                // config.json last: a checkpoint counts as present only once it exists, so an interrupted copy is redone.
                foreach (var file in Directory.GetFiles(shipped).OrderBy(f => Path.GetFileName(f) == Harness.Modeling.Checkpoint.ConfigFile))
                    Harness.IO.AtomicFile.WriteAllBytes(Path.Combine(target, Path.GetFileName(file)), File.ReadAllBytes(file));
                placed.Add(target);
            }
        }
        return placed;
    }
}
