using Harness.Config;
using Harness.Distillation;

namespace Harness.Tests.Architecture;

/// <summary>Config imports no stage; the names a config may use come from the stages' registries through IExperimentCheck.</summary>
public class ExperimentCheckTests
{
    [Fact]
    public void The_stages_checks_are_found_and_run_with_the_configs_own_rules()
    {
        Assert.Equal(["Harness.Data.TokenizerConfigCheck", "Harness.Distillation.DivergenceConfigCheck", "Harness.Distillation.KdTargetsConfigCheck", "Harness.Distillation.Methods.MethodConfigCheck", "Harness.Evaluation.EvaluationConfigCheck"],
                     ExperimentChecks.All.Select(c => c.GetType().FullName));
        const string json = """
        { "name": "x", "students": { "s": { "preset": "nano" } }, "budgets": [ { "name": "b", "tokens": 100 } ],
          "teacher": { "checkpoint": "models/t" }, "methods": ["scratch", "logit-kd", "feature-kd"],
          "kd": { "divergence": "wasserstein", "alpha": 2 }, "evaluation": { "tasks": "grammar,nope,hellaswag" } }
        """;
        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(json, "bad.json"));
        // All problems at once: Config's own rule (alpha) and both registries' names, each with the valid options.
        Assert.Contains(e.Problems, p => p.Contains("$.kd.alpha: value 2 must be in [0, 1]"));
        Assert.Contains(e.Problems, p => p.Contains($"$.kd.divergence: value \"wasserstein\" is not a divergence; valid: {string.Join(", ", Divergence.Names.Keys)}."));
        Assert.Contains(e.Problems, p => p.Contains("$.methods[2]: value \"feature-kd\" is not a method; valid: scratch, logit-kd, seq-kd."));
        // The task list is checked before any work: an unknown name, and a standard task with no data folder.
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: 'nope' is not a task; valid: all, grammar"));
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: task 'hellaswag' reads the published dataset Rowan/hellaswag") && p.Contains("evaluation.data_dir"));
        Assert.Equal(5, e.Problems.Count);
    }
}
