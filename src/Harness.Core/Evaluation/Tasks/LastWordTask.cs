using Harness.Data;

namespace Harness.Evaluation.Tasks;

/// <summary>One last-word item: the passage up to (not including) the space before its final word, and that word.</summary>
public sealed record LastWordItem(string Context, string Target, MultipleChoiceItem Choice);

/// <summary>
/// Last-word prediction in the style of LAMBADA (Paperno et al. 2016, "The LAMBADA dataset: Word prediction requiring a
/// broad discourse context"), on held-out passages of the experiment's own corpus, so it measures the same distribution
/// the models are trained on without any external download.  Unlike LAMBADA the passages are not filtered by human
/// guessability; what is kept is its format (lm-eval's lambada_openai: context = text before the last space, target =
/// " " + last word).  A passage ends at a sentence-final word of ≥3 letters; its context is up to
/// <see cref="MaxContextChars"/> characters before that word (the scorer left-truncates to the model's window anyway).
/// Metrics: exact_match — the target " word" is exactly the greedy continuation (every token the argmax; lm-eval's
/// lambada accuracy, <c>is_greedy</c>; version 2 — version 1 generated up to 8 tokens and compared the leading word);
/// acc / acc_norm — 4-way choice between the target and three other words of the same passage (same capitalisation),
/// chance 0.25.
/// Items are built at run time from the validation/test split the pipeline passes in; they are a deterministic
/// function of (texts, seed, maxItems).
/// </summary>
public sealed class LastWordTask : IEvaluationTask
{
    public const string TaskName = "last_word";
    public const int MaxContextChars = 1000;
    const int MinContextWords = 20;

    readonly IReadOnlyList<LastWordItem> items;

    public LastWordTask(IReadOnlyList<LastWordItem> items) => this.items = items;

    public string Name => TaskName;
    public int Version => 2;
    public IReadOnlyList<string> Metrics { get; } = ["exact_match", "acc", "acc_norm", "task_loss"];
    public int ItemCount => items.Count;
    public IReadOnlyList<LastWordItem> Items => items;

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var subset = EvaluationMetrics.Subset(items, maxItems, Name);
        return EvaluationMetrics.ExactMatchAndMultipleChoiceScores(Name, Version, scorer, subset.Select(i => i.Choice).ToArray());
    }

    /// <summary>
    /// Up to <paramref name="maxItems"/> items from <paramref name="texts"/>: every eligible sentence end is a candidate,
    /// candidates are shuffled by <paramref name="seed"/> and taken in order while they have three distractor words.
    /// </summary>
    public static LastWordTask FromHeldOutTexts(IReadOnlyList<string> texts, int seed, int maxItems)
    {
        if (maxItems <= 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "must be positive");
        var candidates = new List<(int Text, int WordStart, int WordEnd)>();
        for (int d = 0; d < texts.Count; d++)
        {
            var words = Words(texts[d]);
            for (int k = MinContextWords; k < words.Count; k++)
            {
                var (start, end) = words[k];
                var word = texts[d].AsSpan(start, end - start);
                int core = CoreLength(word);
                if (core >= 3 && core < word.Length && ".!?".Contains(word[core])) candidates.Add((d, start, start + core));
            }
        }
        var rng = new StableRandom(seed, "last-word");
        rng.Shuffle(candidates);
        var items = new List<LastWordItem>();
        foreach (var (d, start, end) in candidates)
        {
            if (items.Count >= maxItems) break;
            var text = texts[d];
            var target = text[start..end];
            int contextEnd = start;
            while (contextEnd > 0 && char.IsWhiteSpace(text[contextEnd - 1])) contextEnd--;
            int contextStart = Math.Max(0, contextEnd - MaxContextChars);
            // Start the window on a word boundary.
            if (contextStart > 0) while (contextStart < contextEnd && !char.IsWhiteSpace(text[contextStart - 1])) contextStart++;
            var context = text[contextStart..contextEnd];
            bool upper = char.IsUpper(target[0]);
            var pool = Words(context).Select(w => context.Substring(w.Start, CoreLength(context.AsSpan(w.Start, w.End - w.Start))))
                .Where(w => w.Length >= 3 && w.All(char.IsLetter) && char.IsUpper(w[0]) == upper && !string.Equals(w, target, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (pool.Count < 3) continue;
            var distractors = new List<string>();
            while (distractors.Count < 3)
            {
                var pick = pool[rng.Next(pool.Count)];
                if (!distractors.Contains(pick, StringComparer.OrdinalIgnoreCase)) distractors.Add(pick);
            }
            var choices = distractors.Select(w => " " + w).ToList();
            int gold = rng.Next(4);
            choices.Insert(gold, " " + target);
            items.Add(new LastWordItem(context, target, new MultipleChoiceItem($"{d}:{start}", "last_word", context, choices, gold)));
        }
        return new LastWordTask(items);
    }

    static List<(int Start, int End)> Words(string text)
    {
        var words = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            int s = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i > s) words.Add((s, i));
        }
        return words;
    }

    /// <summary>Length of the leading run of letters of a whitespace-delimited word ("home." → 4, "\"Hi" → 0).</summary>
    static int CoreLength(ReadOnlySpan<char> word)
    {
        int n = 0;
        while (n < word.Length && char.IsLetter(word[n])) n++;
        return n;
    }
}
