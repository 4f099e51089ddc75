namespace Harness.Evaluation;

/// <summary>
/// A scorer built from functions, for tests and baselines: log-probabilities and generations are whatever the caller
/// says.  Token counts are UTF-8 bytes of the continuation; IsGreedy comes from <paramref name="isGreedy"/> (false if none).
/// </summary>
public sealed class DelegateScorer(
    Func<LoglikelihoodRequest, double> logProb,
    Func<GenerationRequest, string>? generate = null,
    Func<LoglikelihoodRequest, bool>? isGreedy = null) : ILanguageModelScorer
{
    /// <summary>Every request this scorer has answered, in order (tests inspect what tasks ask).</summary>
    public List<object> Seen { get; } = [];

    public IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        Seen.AddRange(requests);
        return requests.Select(r =>
        {
            int bytes = EvaluationMetrics.Utf8Length(r.Continuation);
            return new LoglikelihoodResult(logProb(r), isGreedy?.Invoke(r) ?? false, bytes, bytes);
        }).ToArray();
    }

    public IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests)
    {
        Seen.AddRange(requests);
        return requests.Select(r => generate?.Invoke(r) ?? "").ToArray();
    }
}
