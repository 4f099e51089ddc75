using Harness.Config;
using Harness.Pipelines;
using Harness.Sweep;
using TorchSharp;
using Harness.IO;

namespace Harness.Tests.Pipelines;

/// <summary>
/// One tiny experiment run through the whole pipeline, shared by the pipeline tests: first `--only scratch` (one arm,
/// so no multipliers), then the full sweep (the scratch units are reused, the logit-KD units trained, then estimate
/// and report).  Benchmarks: the grammar task, 5 items per task at the final evaluation.
/// </summary>
public sealed class PipelineFixture : IDisposable
{
    public static readonly string ConfigJson = new TinyExperiment
    {
        Name = "tiny-pipeline",
        WithTeacher = true,
        Methods = "\"scratch\", \"logit-kd\"",
        Kd = "\"top_k\": 8",
        Training = TinyExperiment.StandardTraining.Replace("\"checkpoint_interval\": 5", "\"checkpoint_interval\": 10"),
        Evaluation = "\"tasks\": \"grammar\", \"max_items\": 5",
    }.Json;

    readonly TempDirectory tmp = new();

    public PipelineFixture()
    {
        SaveTeacher();
        ScratchOnly = Run(Messages = [], only: "scratch");
        Full = Run(Messages);
    }

    public string Root => tmp.Path;
    public ExperimentRunResult ScratchOnly { get; }
    public ExperimentRunResult Full { get; }
    /// <summary>Every message both runs reported, in order.</summary>
    public List<string> Messages { get; }

    public static ExperimentConfig Config => JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");

    public ExperimentRun Experiment(string? only = null, string? shard = null, string? root = null) =>
        new(Config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root ?? Root, Only = only, Shard = shard });

    public ExperimentRunResult Run(List<string> messages, string? only = null) =>
        Experiment(only).Run(new CallbackProgress<string>(messages.Add));

    void SaveTeacher()
    {
        TestSupport.SaveTinyTeacher(Root, Experiment().Sweep.PrepareData());
    }

    public void Dispose() => tmp.Dispose();
}

/// <summary>The pipeline tests share one <see cref="PipelineFixture"/> (the experiment runs once).</summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}
