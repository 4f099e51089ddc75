namespace Harness.Evaluation;

/// <summary>
/// A multiple-choice item: the model scores each choice as a continuation of <paramref name="Context"/>;
/// <paramref name="Gold"/> indexes the right one.  Builders place the gold choice at a seeded random position, because
/// argmax breaks ties towards the first choice (as numpy's does in lm-eval) and a tie-prone scorer such as
/// <see cref="UniformScorer"/> must land near chance, not at 100 %.  <paramref name="Group"/> names a sub-population
/// (phenomenon or relation) reported as its own metric.
/// </summary>
public sealed record MultipleChoiceItem(string Id, string Group, string Context, IReadOnlyList<string> Choices, int Gold);

/// <summary>
/// Per-item outcomes of a multiple-choice run.  <paramref name="GoldIsGreedy"/>: every token of the gold continuation is
/// the model's argmax given the context and the gold tokens before it (lm-eval's <c>is_greedy</c>), i.e. greedy decoding
/// would produce exactly the gold answer's tokens — lm-eval's accuracy for LAMBADA and for the GPT-3 arithmetic tasks,
/// obtained from the same forward pass as the choice scores.
/// </summary>
/// <paramref name="GoldLoss"/>: −ln p(gold | choices) = −(ln p_gold − ln Σ_c p_c), the choice-normalised negative
/// log-likelihood of the right answer (the continuous per-item loss behind <c>task_loss</c>; ln K for a uniform guesser).
public sealed record MultipleChoiceOutcome(bool[] Acc, bool[] AccNorm, double[] Chance, bool[] GoldIsGreedy, double[]? GoldLoss = null);
