using Harness.Config;
using Harness.Data;
using Harness.Distillation;
using Harness.Distillation.Methods;
using Harness.Evaluation;
using Harness.IO;
using Harness.Modeling;

namespace Harness.Pipelines;

/// <summary>
/// The one check of an experiment config before any work (`validate`, `run`, `run --dry-run`, `worker`, `submit`): the
/// config's own rules (<see cref="ExperimentConfig.Validate"/>) and the names only later stages know — methods
/// (<see cref="MethodRegistry"/>), the KD divergence and targets, the benchmark tasks (<see cref="TaskRegistry"/>, and
/// the standard tasks' data files), an "hf" tokenizer file — and, given the repository root, the teacher checkpoint.
/// Every problem at once, each with its JSON path, value and the valid options (BenchmarkDotNet's validators run the
/// same way: before the work, all of them).  Config stays a leaf: the stages are called here, by name.
/// </summary>
public static class ExperimentValidator
{
    /// <summary>Reads an experiment config: JSON shape, the config's own rules, <see cref="StageProblems"/> and, given
    /// <paramref name="repositoryRoot"/>, <see cref="TeacherProblems"/>; all problems in one <see cref="UserInputException"/>.</summary>
    public static ExperimentConfig Read(string json, string source, string? repositoryRoot = null) =>
        JsonConfigReader.Read<ExperimentConfig>(json, source, (config, path) =>
            StageProblems(config, path).Concat(repositoryRoot is null ? [] : TeacherProblems(config, repositoryRoot, path)));

    /// <summary><see cref="Read"/> of a file (the reader's not-found message when it is missing).</summary>
    public static ExperimentConfig ReadFile(string file, string? repositoryRoot = null) =>
        File.Exists(file) ? Read(File.ReadAllText(file), file, repositoryRoot) : JsonConfigReader.ReadFile<ExperimentConfig>(file);

    /// <summary>The names the later stages register, checked in stage order.</summary>
    public static IReadOnlyList<string> StageProblems(ExperimentConfig config, string path)
    {
        var p = new List<string>();
        p.AddRange(TokenizerConfigCheck.Validate(config, path));
        p.AddRange(MethodConfigCheck.Validate(config, path));
        p.AddRange(DivergenceConfigCheck.Validate(config, path));
        p.AddRange(KdTargetsConfigCheck.Validate(config, path));
        p.AddRange(EvaluationConfigCheck.Validate(config, path));
        return p;
    }

    /// <summary>
    /// The teacher the sweep would load, when the config names one: its checkpoint must exist or be trainable
    /// (<c>teacher.train_config</c>), and be one `harness train` wrote (a Hugging Face folder is refused by name).
    /// </summary>
    public static IReadOnlyList<string> TeacherProblems(ExperimentConfig config, string repositoryRoot, string path)
    {
        if (config.Teacher.Checkpoint is not { } checkpoint) return [];
        try
        {
            var dir = PathNames.ConfigPath(repositoryRoot, checkpoint, $"{path}.teacher.checkpoint");
            if (ModelFolder.IsHuggingFace(dir))
                return [$"{path}.teacher.checkpoint: \"{checkpoint}\" holds a Hugging Face config.json; sweeps do not take imported teachers yet (it works with `harness eval`, `harness sample` and `harness export`). Use a teacher trained by `harness train`."];
            if (File.Exists(Path.Combine(dir, Checkpoint.ConfigFile))) return [];
            if (config.Teacher.TrainConfig is null)
                return [$"{path}.teacher.checkpoint: \"{checkpoint}\" has no {Checkpoint.ConfigFile}; train it with `harness train` or set teacher.train_config so the sweep trains it first."];
            var train = PathNames.ConfigPath(repositoryRoot, config.Teacher.TrainConfig, $"{path}.teacher.train_config");
            return File.Exists(train) ? [] : [$"{path}.teacher.train_config: \"{config.Teacher.TrainConfig}\" does not exist and the teacher checkpoint \"{checkpoint}\" is missing too; pass the train config that writes it, or train it with `harness train`."];
        }
        catch (UserInputException e)
        {
            return e.Problems;
        }
    }

    /// <summary>Throws every stage problem of an already-read config at once (a config built in code reaches the pipeline
    /// checked like one read from a file).</summary>
    public static void ThrowIfProblems(ExperimentConfig config, string source)
    {
        var problems = StageProblems(config, "$");
        if (problems.Count > 0)
            throw new UserInputException($"{source}: {problems.Count} problem(s) in config.", problems.Select(p => $"{source}: {p}").ToList());
    }
}
