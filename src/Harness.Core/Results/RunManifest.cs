using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>
/// manifest.json: a run's provenance (config, code, data, teacher, versions, compute), the one definition.  The sweep
/// fills it and writes it with <see cref="RunManifestFile"/>; the report, <c>compare</c>, <c>merge</c> and <c>eval</c> read
/// it back.  Every field may be missing in a folder written by an older harness (it then reads as null or empty), and
/// fields this build does not know are kept in <see cref="Other"/>, so a manifest read and written again loses nothing.
/// Field meanings: README "Result files".
/// </summary>
public sealed record RunManifest
{
    public int? SchemaVersion { get; init; }
    public string? Experiment { get; init; }
    /// <summary>sha256 of the resolved config: the run id (the folder name).</summary>
    public string? ConfigHash { get; init; }
    /// <summary>The resolved experiment config as the run used it (Config/ExperimentConfig, snake_case JSON), kept as
    /// written so a manifest of an older config schema still loads; <see cref="ConfigText"/> reads one field.</summary>
    public JsonElement? Config { get; init; }
    public string? GitCommit { get; init; }
    public SoftwareVersions? Versions { get; init; }
    /// <summary>cpu or cuda:N.</summary>
    public string? Device { get; init; }
    public int? Threads { get; init; }
    public string? CorpusHash { get; init; }
    public string? TokenizerHash { get; init; }
    public TokenizerSummary? Tokenizer { get; init; }
    public SplitTokenCounts? SplitTokens { get; init; }
    /// <summary>Null when the run used no teacher (scratch only).</summary>
    public TeacherProvenance? Teacher { get; init; }
    /// <summary>Null when logit-kd read the teacher online (no cache) or the run has no logit-kd units.</summary>
    public TeacherLogitCacheSummary? TeacherLogitCache { get; init; }
    /// <summary>Learning-rate schedule: cosine | wsd.</summary>
    public string? Schedule { get; init; }
    /// <summary>Null until the run's tables are collected (Sweep/ComputeTotals).</summary>
    public ComputeSummary? Compute { get; init; }
    /// <summary>Benchmark task → its version (Evaluation/Tasks: each task's <c>Version</c>); <c>compare</c> treats a
    /// difference as breaking.  Empty when no benchmarks were configured.</summary>
    public IReadOnlyDictionary<string, int> TaskVersions { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);
    /// <summary>Hash of the training token stream (corpus, split, tokenizer, data mix).</summary>
    public string? TrainStreamHash { get; init; }
    public string? FlopFormula { get; init; }
    /// <summary>ISO 8601 UTC; kept from the first write when a run is resumed.</summary>
    public string? StartedUtc { get; init; }
    /// <summary>ISO 8601 UTC; null while the run is unfinished.</summary>
    public string? FinishedUtc { get; init; }
    /// <summary><c>--shard I/N</c> of the process that wrote it; null for a whole run or a merged folder.</summary>
    public string? Shard { get; init; }
    /// <summary><c>--only</c> filter of the process that wrote it.</summary>
    public string? Only { get; init; }
    /// <summary><c>--set KEY=VALUE</c> overrides applied to the config file.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    // Written by `harness merge` only.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<MergedSource>? MergedFrom { get; init; }
    /// <summary>Units in the merged folder.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Units { get; init; }
    /// <summary>"I/N" of shards none of the merged folders holds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? MissingShards { get; init; }

    /// <summary>Fields this build does not know (from an older or newer harness), written back unchanged.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    /// <summary>The experiment's name, from <see cref="Experiment"/> or else the config.</summary>
    [JsonIgnore] public string? ExperimentName => Experiment ?? ConfigText("name");

    /// <summary>A config field at a dotted path (<c>data.corpus</c>) as compact text (<see cref="RunManifestFile.ToText"/>); null when missing.</summary>
    public string? ConfigText(string dottedPath)
    {
        if (Config is not { } current) return null;
        foreach (var part in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var next)) return null;
            current = next;
        }
        return RunManifestFile.ToText(current);
    }
}

/// <summary>manifest.json <c>versions</c>: the software that produced the numbers.</summary>
public sealed record SoftwareVersions
{
    public string? Harness { get; init; }
    public string? Torchsharp { get; init; }
    public string? Libtorch { get; init; }
    public string? Dotnet { get; init; }
}

/// <summary>manifest.json <c>tokenizer</c>.</summary>
public sealed record TokenizerSummary
{
    /// <summary>bpe | gpt2.</summary>
    public string? Kind { get; init; }
    public int? VocabSize { get; init; }
}

/// <summary>manifest.json <c>split_tokens</c>: tokens in each split of the corpus.</summary>
public sealed record SplitTokenCounts
{
    public long? Train { get; init; }
    public long? Validation { get; init; }
    public long? Test { get; init; }
}

/// <summary>manifest.json <c>teacher</c>: which teacher the distilled students learned from, and what it cost.</summary>
public sealed record TeacherProvenance
{
    /// <summary>Checkpoint folder, relative to the repository root.</summary>
    public string? Path { get; init; }
    public string? Hash { get; init; }
    public long? Params { get; init; }
    public long? ParamsNonEmbedding { get; init; }
    /// <summary>Pre-training FLOPs.</summary>
    public double? Flops { get; init; }
    public long? Tokens { get; init; }
    public double? ValLoss { get; init; }
    public double? ValBpb { get; init; }
    /// <summary>The teacher's shape (Modeling/GptConfig, as its checkpoint stores it).</summary>
    public JsonElement? Model { get; init; }
}

/// <summary>manifest.json <c>teacher_logit_cache</c> (Distillation/TeacherLogitCache).</summary>
public sealed record TeacherLogitCacheSummary
{
    public int? TopK { get; init; }
    public int? BytesPerToken { get; init; }
    public long? WindowsFilled { get; init; }
    public long? WindowsTotal { get; init; }
    /// <summary>FLOPs this process spent filling the cache (windows other processes filled are not counted).</summary>
    public double? BuildFlopsThisProcess { get; init; }
}

/// <summary>manifest.json <c>compute</c>: what the sweep spent and what its finished runs would cost separately (Sweep/ComputeTotals).</summary>
public sealed record ComputeSummary
{
    public int? Units { get; init; }
    public int? FinishedRuns { get; init; }
    public long? StudentTokensSpent { get; init; }
    public double? StudentTrainFlopsSpent { get; init; }
    public double? TeacherInferenceFlopsSpent { get; init; }
    public long? FinishedRunStudentTokens { get; init; }
    public double? FinishedRunStudentTrainFlops { get; init; }
    /// <summary>Σ finished-run student FLOPs ÷ student FLOPs spent (null when nothing was spent).</summary>
    public double? SharingFactor { get; init; }
    public string? Note { get; init; }
}

/// <summary>manifest.json <c>merged_from</c>: one folder <c>harness merge</c> read.</summary>
public sealed record MergedSource
{
    public string? Path { get; init; }
    public string? Shard { get; init; }
}
