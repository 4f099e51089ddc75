using Harness.Config;
using Harness.Distillation;
using Harness.Evaluation;
using Harness.Pipelines;
using Harness.Tests.Sweep.Execution;

namespace Harness.Tests.Pipelines;

/// <summary>
/// The one experiment check (Pipelines/ExperimentValidator): the config's own rules and the names the later stages
/// register, every problem at once, before any work; the same check for `validate`, `run`, `run --dry-run` and `worker`.
/// </summary>
public class ExperimentValidatorTests
{
    const string Bad = """
    { "name": "x", "students": { "s": { "preset": "nano" } }, "budgets": [ { "name": "b", "tokens": 100 } ],
      "teacher": { "checkpoint": "models/t" }, "methods": ["scratch", "logit-kd", "feature-kd"],
      "kd": { "divergence": "wasserstein", "alpha": 2 }, "evaluation": { "tasks": "grammar,nope,hellaswag" } }
    """;

    [Fact]
    public void Every_problem_comes_at_once_with_the_valid_options()
    {
        var e = Assert.Throws<UserInputException>(() => ExperimentValidator.Read(Bad, "bad.json"));
        // Config's own rule (alpha) and the stages' registries' names, each with the valid options.
        Assert.Contains(e.Problems, p => p.Contains("$.kd.alpha: value 2 must be in [0, 1]"));
        Assert.Contains(e.Problems, p => p.Contains($"$.kd.divergence: value \"wasserstein\" is not a divergence; valid: {string.Join(", ", Divergence.Names.Keys)}."));
        Assert.Contains(e.Problems, p => p.Contains("$.methods[2]: value \"feature-kd\" is not a method; valid: scratch, logit-kd, seq-kd."));
        // The task list: an unknown name, and a standard task with no data folder.
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: 'nope' is not a task; valid: all, grammar"));
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: task 'hellaswag' reads the published dataset Rowan/hellaswag") && p.Contains("evaluation.data_dir"));
        Assert.Equal(5, e.Problems.Count);
        // Config alone knows none of the stages' names: the same file passes its own rules but for alpha.
        var own = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(Bad, "bad.json"));
        Assert.Equal(["bad.json: $.kd.alpha: value 2 must be in [0, 1]."], own.Problems);
    }

    [Fact]
    public void A_missing_teacher_with_nothing_to_train_it_from_is_refused_with_the_root()
    {
        using var tmp = new TempDirectory();
        var json = Bad.Replace("\"alpha\": 2", "\"alpha\": 0.5").Replace("feature-kd", "seq-kd").Replace("wasserstein", "forward-kl").Replace("grammar,nope,hellaswag", "grammar");
        var config = ExperimentValidator.Read(json, "ok.json");   // no root: the teacher is not looked at
        var e = Assert.Throws<UserInputException>(() => ExperimentValidator.Read(json, "ok.json", tmp.Path));
        Assert.Equal(["ok.json: $.teacher.checkpoint: \"models/t\" has no config.json; train it with `harness train` or set teacher.train_config so the sweep trains it first."], e.Problems);
        var trainable = json.Replace("\"checkpoint\": \"models/t\"", "\"checkpoint\": \"models/t\", \"train_config\": \"t.json\"");
        e = Assert.Throws<UserInputException>(() => ExperimentValidator.Read(trainable, "ok.json", tmp.Path));
        Assert.Contains("$.teacher.train_config: \"t.json\" does not exist", Assert.Single(e.Problems));
        File.WriteAllText(Path.Combine(tmp.Path, "t.json"), "{}");
        Assert.Equal(config.Methods, ExperimentValidator.Read(trainable, "ok.json", tmp.Path).Methods);
    }

    [Fact]
    public void The_pipeline_refuses_a_config_built_in_code_before_any_work()
    {
        using var tmp = new TempDirectory();
        var config = JsonConfigReader.Read<ExperimentConfig>(new TinyExperiment { Evaluation = "\"tasks\": \"grammar,nope\"" }.Json, "tiny");
        var e = Assert.Throws<UserInputException>(() => new ExperimentRun(config, new Harness.Sweep.SweepOptions { Device = TorchSharp.torch.CPU, RepositoryRoot = tmp.Path }));
        Assert.Contains(e.Problems, p => p.Contains($"'nope' is not a task; valid: all, {string.Join(", ", TaskRegistry.Names)}"));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));   // no data prepared, no results folder
    }

    [Fact]
    public void An_unknown_task_fails_validate_run_and_dry_run_with_exit_2_and_the_valid_list_before_any_work()
    {
        var root = new WorkerRoot();
        var config = Path.Combine(root.Directory, "typo.json");
        File.WriteAllText(config, WorkerRoot.SweepJson.Replace("\"tasks\": \"none\"", "\"tasks\": \"grammer\""));
        foreach (var args in new[] { new[] { "validate", config }, ["run", config, "--dry-run"], ["run", config], ["worker", "prepare", config] })
        {
            var (code, output) = root.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}:\n{output}");
            Assert.Contains("$.evaluation.tasks: 'grammer' is not a task; valid: all, grammar", output);
            // Before any work: no tokenizer trained, no teacher, no results folder.
            Assert.False(Directory.Exists(Path.Combine(root.Directory, ".cache")), string.Join(' ', args));
            Assert.False(Directory.Exists(Path.Combine(root.Directory, "models")), string.Join(' ', args));
            Assert.False(Directory.Exists(Path.Combine(root.Directory, "results")), string.Join(' ', args));
        }
    }
}
