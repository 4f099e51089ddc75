using Harness.Config;
using Harness.Modeling;
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
    public const string ConfigJson = """
    {
      "name": "tiny-pipeline",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "teacher": { "checkpoint": "models/teacher" },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 } },
      "budgets": [ { "name": "b", "tokens": 3840 } ],
      "methods": ["scratch", "logit-kd"],
      "kd": { "top_k": 8 },
      "seeds": [1, 2],
      "training": { "batch_size": 8, "eval_interval": 10, "eval_tokens": 512, "checkpoint_interval": 10, "warmup_steps": 2, "log_interval": 1 },
      "evaluation": { "tasks": "grammar", "max_items": 5 }
    }
    """;

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
        new(Config, ConfigJson, new SweepOptions { Device = torch.CPU, RepositoryRoot = root ?? Root, Only = only, Shard = shard });

    public ExperimentRunResult Run(List<string> messages, string? only = null) =>
        Experiment(only).Run(new CallbackProgress<string>(messages.Add));

    void SaveTeacher()
    {
        var runner = Experiment().Sweep;
        var data = runner.PrepareData();
        torch.manual_seed(11);
        var shape = new GptConfig(data.VocabSize, 16, 1, 2, 32);
        using var teacher = new Gpt(shape);
        Checkpoint.Save(teacher, Path.Combine(Root, "models", "teacher"),
            new CheckpointInfo { Model = shape, TokenizerHash = data.TokenizerHash, CorpusHash = data.CorpusHash, TrainingFlops = 1e9, TrainingTokens = 1000 });
    }

    public void Dispose() => tmp.Dispose();
}

/// <summary>The pipeline tests share one <see cref="PipelineFixture"/> (the experiment runs once).</summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}
