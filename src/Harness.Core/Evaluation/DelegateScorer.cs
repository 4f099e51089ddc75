namespace Harness.Evaluation;

/// <summary>
/// A scorer built from functions, for tests and baselines: log-probabilities and generations are whatever the caller
/// says.  Token counts are UTF-8 bytes of the continuation; IsGreedy comes from <paramref name="isGreedy"/> (false if none); rolling log-likelihoods from <paramref name="rollingLogProb"/>.
/// </summary>
public sealed class DelegateScorer(
    Func<LoglikelihoodRequest, double> logProb,
    Func<GenerationRequest, string>? generate = null,
    Func<LoglikelihoodRequest, bool>? isGreedy = null,
    Func<string, double>? rollingLogProb = null) : ILanguageModelScorer
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

    /// <summary>Log-probability from <c>rollingLogProb</c> (a test that does not pass one gets an error, not a made-up number);
    /// tokens = UTF-8 bytes, one window.</summary>
    public IReadOnlyList<RollingLoglikelihoodResult> LogLikelihoodRolling(IReadOnlyList<string> texts)
    {
        if (rollingLogProb is null) throw new InvalidOperationException("this DelegateScorer was built without a rollingLogProb function.");
        Seen.AddRange(texts);
        return texts.Select(t => new RollingLoglikelihoodResult(rollingLogProb(t), EvaluationMetrics.Utf8Length(t), 1)).ToArray();
    }

    public IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests)
    {
        Seen.AddRange(requests);
        return requests.Select(r => generate?.Invoke(r) ?? "").ToArray();
    }
}
