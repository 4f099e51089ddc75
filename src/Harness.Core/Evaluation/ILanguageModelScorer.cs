namespace Harness.Evaluation;

/// <summary>Score <paramref name="Continuation"/> given <paramref name="Context"/> (lm-evaluation-harness's <c>loglikelihood</c> request).</summary>
public sealed record LoglikelihoodRequest(string Context, string Continuation);

/// <summary>
/// Summed natural-log probability of the continuation's tokens; <paramref name="IsGreedy"/> is true when every
/// continuation token is the argmax at its position (lm-eval's <c>is_greedy</c>).  Token and UTF-8 byte counts of the
/// continuation let tasks normalise (acc_norm divides by bytes).
/// </summary>
public sealed record LoglikelihoodResult(double LogProb, bool IsGreedy, int ContinuationTokens, int ContinuationBytes);

/// <summary>Greedy continuation of <paramref name="Context"/>: at most <paramref name="MaxNewTokens"/> tokens, cut at the first stop string (newline always stops).</summary>
public sealed record GenerationRequest(string Context, int MaxNewTokens, IReadOnlyList<string> StopStrings);

/// <summary>
/// Log-likelihood of a whole text with no context (lm-evaluation-harness's <c>loglikelihood_rolling</c>, used for
/// perplexity): the summed natural-log probability of every token of <paramref name="Text"/>, the first conditioned on
/// the document-start token, and each window of at most the model's context length conditioned on the tokens before it
/// (<c>lm_eval/utils.py</c>, <c>get_rolling_token_windows</c> with context_len = 1, then <c>make_disjoint_window</c>).
/// </summary>
public sealed record RollingLoglikelihoodResult(double LogProb, int Tokens, int Windows);

/// <summary>
/// The narrow view of a language model that evaluation tasks see (the three request types of lm-evaluation-harness,
/// Gao et al. 2021–2024, <c>lm_eval/api/model.py</c>).  Tasks emit requests and score answers; they never touch tensors,
/// so they are tested with hand-built scorers and any model (student, teacher, n-gram) can be evaluated the same way.
/// Results come back in request order.
/// </summary>
public interface ILanguageModelScorer
{
    IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests);

    /// <summary>One result per text, in order: see <see cref="RollingLoglikelihoodResult"/>.</summary>
    IReadOnlyList<RollingLoglikelihoodResult> LogLikelihoodRolling(IReadOnlyList<string> texts);

    /// <summary>Generated text only (not the context), already cut at the first stop string.</summary>
    IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests);
}
