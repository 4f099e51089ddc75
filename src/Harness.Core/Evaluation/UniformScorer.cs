using Microsoft.ML.Tokenizers;

namespace Harness.Evaluation;

/// <summary>
/// The floor every model is compared against: a model whose next-token distribution is uniform over V tokens, so each
/// continuation token costs ln V nats and greedy generation (all tokens tied) is defined to produce nothing.
/// Token counts come from <paramref name="tokenizer"/> (context and continuation encoded separately, as
/// <see cref="GptScorer"/> does), or UTF-8 bytes when none is given (a byte-level model).
/// </summary>
public sealed class UniformScorer(int vocabSize, Tokenizer? tokenizer = null) : ILanguageModelScorer
{
    public IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        double perToken = -Math.Log(vocabSize);
        return requests.Select(r =>
        {
            var (_, continuation) = GptScorer.SplitTrailingWhitespace(r.Context, r.Continuation);
            int tokens = tokenizer is null ? EvaluationMetrics.Utf8Length(continuation) : tokenizer.EncodeToIds(continuation).Count;
            return new LoglikelihoodResult(tokens * perToken, false, tokens, EvaluationMetrics.Utf8Length(r.Continuation));
        }).ToArray();
    }

    /// <summary>Every token of the text costs ln V (byte count when there is no tokenizer); windows do not matter here.</summary>
    public IReadOnlyList<RollingLoglikelihoodResult> LogLikelihoodRolling(IReadOnlyList<string> texts) =>
        texts.Select(t =>
        {
            int tokens = tokenizer is null ? EvaluationMetrics.Utf8Length(t) : tokenizer.EncodeToIds(t).Count;
            return new RollingLoglikelihoodResult(-tokens * Math.Log(vocabSize), tokens, 1);
        }).ToArray();

    public IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests) => requests.Select(_ => "").ToArray();
}
