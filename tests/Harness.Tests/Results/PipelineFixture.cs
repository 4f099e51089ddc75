using Harness.Config;
using Harness.Estimation;
using Harness.Evaluation;
using Harness.IO;
using Harness.Pipelines;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Results;

/// <summary>
/// A results folder produced by the real pipeline on a tiny config: sweep (2 sizes × 2 budgets × scratch and logit-kd
/// × 2 seeds, benchmark-scored on a curve subset and at the end) → estimate → report, as `harness run` chains them.
/// Built once per test process (a few seconds) and shared read-only; tests that edit files take a <see cref="Copy"/>.
/// </summary>
public static class PipelineFixture
{
    public const string ConfigJson = """
    {
      "name": "contract",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "teacher": { "checkpoint": "models/teacher" },
      "students": {
        "s1": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 },
        "s2": { "context_length": 16, "layers": 2, "heads": 2, "d_model": 24 }
      },
      "budgets": [ { "name": "b1", "tokens": 1920 }, { "name": "b2", "tokens": 3840 } ],
      "methods": ["scratch", "logit-kd"],
      "kd": { "top_k": 8 },
      "seeds": [1, 2],
      "evaluation": { "tasks": "arithmetic_1d", "curve_subset": 4, "max_items": 24 },
      "training": { "batch_size": 8, "eval_interval": 5, "eval_tokens": 512, "checkpoint_interval": 10, "warmup_steps": 2, "log_interval": 5 }
    }
    """;

    static readonly Lazy<string> folder = new(() => Build(ConfigJson), LazyThreadSafetyMode.ExecutionAndPublication);
    static readonly Lazy<string> hotterKd = new(() => Build(ConfigJson.Replace("\"kd\": { \"top_k\": 8 }", "\"kd\": { \"top_k\": 8, \"temperature\": 4 }")),
                                               LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The results folder (do not modify it: take a <see cref="Copy"/>).</summary>
    public static string Folder => folder.Value;

    /// <summary>The same experiment with one treatment setting changed (kd.temperature 4 instead of the default 2), run
    /// in a folder of its own: its scratch units are the same, its logit-kd units are not.</summary>
    public static string HotterKdFolder => hotterKd.Value;

    /// <summary>The benchmark tasks the fixture's config scores.</summary>
    public static IReadOnlyList<IEvaluationTask> Tasks => TaskRegistry.Parse("arithmetic_1d");

    /// <summary>A writable copy of the folder's top-level files inside <paramref name="tmp"/>, named <paramref name="name"/>.</summary>
    public static string Copy(TempDirectory tmp, string name = "pipeline", string? source = null)
    {
        var target = tmp.File(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source ?? Folder))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>Runs the pipeline on <paramref name="json"/> in a fresh root; with <paramref name="faultPlan"/> (FaultInjection syntax)
    /// installed over the sweep, <paramref name="expectedFailures"/> units must fail (and no other), else it throws; with
    /// <paramref name="gitCommit"/> the root is a checkout at that (detached) commit, so the manifest records one.</summary>
    public static string Build(string json, string? faultPlan = null, int expectedFailures = 0, string? gitCommit = null)
    {
        var root = TestSupport.TempDirectory();
        if (gitCommit is not null)
        {
            Directory.CreateDirectory(Path.Combine(root, ".git"));
            File.WriteAllText(Path.Combine(root, ".git", "HEAD"), gitCommit + "\n");
        }
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "contract");
        var options = new SweepOptions { Device = torch.CPU, RepositoryRoot = root };
        // The path of `harness run`: ExperimentRun (the config check, the sweep with the benchmark evaluator of the
        // config's evaluation section, then estimate and report), with fewer bootstrap replicates.
        var run = new ExperimentRun(config, options) { Estimate = new EstimateOptions { Replicates = 20, Seed = 1 } };
        TestSupport.SaveTinyTeacher(root, run.Sweep.PrepareData());
        ExperimentRunResult result;
        using (faultPlan is null ? null : FaultInjection.Use(faultPlan))
            result = run.Run();
        var outcome = result.Sweep;
        if (!outcome.Complete || outcome.Failed != expectedFailures || result.Step != AfterSweepStep.Estimated)
            throw new InvalidOperationException($"the fixture's run did not finish as planned ({outcome.Failed} failed, {expectedFailures} expected; {result.Step}).");
        return outcome.Directory;
    }
}
