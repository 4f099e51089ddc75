using System.Text.Json.Serialization;

namespace Harness.Evaluation;

/// <summary>One request a task sent to the model and what came back (lm-eval's <c>--log_samples</c>, at request level).</summary>
public sealed record SampleRecord
{
    [JsonPropertyName("task")] public string Task { get; init; } = "";
    /// <summary>loglikelihood | loglikelihood_rolling | generate_until (lm-eval's request types).</summary>
    [JsonPropertyName("request_type")] public string RequestType { get; init; } = "";
    [JsonPropertyName("context")] public string Context { get; init; } = "";
    [JsonPropertyName("continuation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Continuation { get; init; }
    [JsonPropertyName("log_prob"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LogProb { get; init; }
    [JsonPropertyName("is_greedy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? IsGreedy { get; init; }
    [JsonPropertyName("continuation_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ContinuationTokens { get; init; }
    [JsonPropertyName("continuation_bytes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ContinuationBytes { get; init; }
    [JsonPropertyName("max_new_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? MaxNewTokens { get; init; }
    [JsonPropertyName("generated"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Generated { get; init; }
}

/// <summary>Passes requests to a scorer and keeps every request with its answer, tagged with the current task.</summary>
public sealed class RecordingScorer(ILanguageModelScorer inner) : ILanguageModelScorer
{
    public string Task { get; set; } = "";
    public List<SampleRecord> Records { get; } = [];

    public IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        var results = inner.LogLikelihood(requests);
        for (int i = 0; i < requests.Count; i++)
            Records.Add(new SampleRecord
            {
                Task = Task, RequestType = "loglikelihood", Context = requests[i].Context, Continuation = requests[i].Continuation,
                LogProb = results[i].LogProb, IsGreedy = results[i].IsGreedy, ContinuationTokens = results[i].ContinuationTokens, ContinuationBytes = results[i].ContinuationBytes,
            });
        return results;
    }

    public IReadOnlyList<RollingLoglikelihoodResult> LogLikelihoodRolling(IReadOnlyList<string> texts)
    {
        var results = inner.LogLikelihoodRolling(texts);
        for (int i = 0; i < texts.Count; i++)
            Records.Add(new SampleRecord
            {
                Task = Task, RequestType = "loglikelihood_rolling", Context = texts[i], LogProb = results[i].LogProb, ContinuationTokens = results[i].Tokens,
                ContinuationBytes = EvaluationMetrics.Utf8Length(texts[i]),
            });
        return results;
    }

    public IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests)
    {
        var results = inner.GenerateGreedy(requests);
        for (int i = 0; i < requests.Count; i++)
            Records.Add(new SampleRecord { Task = Task, RequestType = "generate_until", Context = requests[i].Context, MaxNewTokens = requests[i].MaxNewTokens, Generated = results[i] });
        return results;
    }
}
