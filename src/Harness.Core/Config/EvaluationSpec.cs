using System.Text.Json.Serialization;

namespace Harness.Config;

public sealed record EvaluationSpec
{
    /// <summary>"all", "none", or a comma list of task names.</summary>
    public string Tasks { get; init; } = "all";
    /// <summary>Items per task scored at each curve point (0 = only final evaluation).</summary>
    public int CurveSubset { get; init; } = 0;
    /// <summary>Score the curve subset at every N-th held-out evaluation of a run (1 = each), so benchmark curves can be
    /// sparser than the loss curve; the final evaluation always runs.</summary>
    public int CurveEvery { get; init; } = 1;
    /// <summary>Cap on items per task at the final evaluation (0 = all).</summary>
    public int MaxItems { get; init; } = 0;

    /// <summary>Folder holding the published data files of the standard (lm-eval) tasks, one sub-folder per task
    /// (README "Standard benchmarks"); relative paths are taken from the current directory.  Left out of written
    /// configs when unset, so configs without standard tasks serialise as before.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DataDir { get; init; }

    /// <summary>Few-shot examples per standard multiple-choice task (lm-eval's num_fewshot; 0 = zero-shot).</summary>
    [JsonPropertyName("num_fewshot"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NumFewShot { get; init; } = 0;

    /// <summary>Seed of the few-shot draw (null = 1234, lm-eval's default fewshot seed).</summary>
    [JsonPropertyName("fewshot_seed"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? FewShotSeed { get; init; }
}
