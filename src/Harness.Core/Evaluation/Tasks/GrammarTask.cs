using Harness.Data;

namespace Harness.Evaluation.Tasks;

/// <summary>
/// Grammatical minimal pairs in the style of BLiMP (Warstadt et al. 2020, "BLiMP: The Benchmark of Linguistic Minimal
/// Pairs for English", TACL 8): the model should give the grammatical sentence higher probability than its minimally
/// different ungrammatical twin.  Three phenomena, built from templates over the english-verbs-irregular list:
/// <list type="bullet">
/// <item>irregular_past — "Yesterday the man went." vs "Yesterday the man goed." (BLiMP's irregular_past_participle_verbs
/// idea, with an over-regularised form as the foil, the classic child-language error);</item>
/// <item>past_participle — "The teacher has written." vs "The teacher has wrote.";</item>
/// <item>agreement — "The dogs often run." vs "The dogs often runs." (BLiMP's regular_plural_subject_verb_agreement).</item>
/// </list>
/// BLiMP compares total sentence log-probabilities; both sentences of a pair share the prefix up to the first differing
/// word, whose tokens (encoded separately) are identical, so comparing the continuations from that shared context is the
/// same comparison without needing a begin-of-text token.  Metric acc = share of pairs where the grammatical one wins
/// (chance 0.5); per-phenomenon acc is reported as acc_{phenomenon}.
/// </summary>
public sealed class GrammarTask : IEvaluationTask
{
    public const string TaskName = "grammar";
    readonly IReadOnlyList<MultipleChoiceItem> items;

    public GrammarTask(IReadOnlyList<MultipleChoiceItem> items) => this.items = items;

    /// <summary>The committed item file.</summary>
    public static GrammarTask Load() => new(TaskData.LoadEmbedded<MultipleChoiceItem>(TaskData.GrammarFile));

    public string Name => TaskName;
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; } = ["acc", "acc_norm", "task_loss", "acc_irregular_past", "acc_past_participle", "acc_agreement"];
    public int ItemCount => items.Count;
    public IReadOnlyList<MultipleChoiceItem> Items => items;

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var subset = EvaluationMetrics.Subset(items, maxItems, Name);
        return EvaluationMetrics.MultipleChoiceScores(Name, Version, subset, EvaluationMetrics.ScoreMultipleChoice(scorer, subset));
    }

    // ---- builder -------------------------------------------------------------------------------------------------

    static readonly string[] Subjects = ["the man", "my sister", "the teacher", "our neighbour", "the old farmer", "a child", "the doctor", "his friend"];
    static readonly string[] TimeFrames = ["Yesterday", "Last week", "Two days ago", "Last night"];
    static readonly (string Singular, string Plural)[] Nouns =
    [
        ("dog", "dogs"), ("teacher", "teachers"), ("child", "children"), ("woman", "women"), ("man", "men"), ("girl", "girls"),
        ("boy", "boys"), ("doctor", "doctors"), ("farmer", "farmers"), ("student", "students"), ("person", "people"), ("cat", "cats"),
    ];
    static readonly string[] Adverbs = ["often", "usually", "sometimes", "always", "rarely", "never"];

    /// <summary>Builds the pairs (deterministic in <paramref name="seed"/>): ≤150 irregular_past, ≤100 past_participle, ≤150 agreement.</summary>
    public static IReadOnlyList<MultipleChoiceItem> Build(IReadOnlyList<VerbForms> verbs, int seed)
    {
        var rng = new StableRandom(seed, "grammar");
        // verbs may list several variants per verb (weave: wove/woven, weaved/weaved); the first is the one used, all are
        // consulted so that no foil is in fact an accepted variant.
        // Prefixed derivatives (rewake, underspend, misbuild) are dropped: they are rare, and a model that knows
        // "build/built" gets them for free, so they would mostly add noise.
        var all = verbs.Select(v => v.Verb).ToHashSet();
        var usable = verbs.GroupBy(v => v.Verb).Select(g => g.First())
            .Where(v => v.Verb != "be" && v.Verb.All(char.IsAsciiLetterLower) && !IsPrefixed(v.Verb, all)).ToList();
        var items = new List<MultipleChoiceItem>();

        // The first variant must be irregular (awake's first variant is "awakened").
        var past = usable.Where(v => !(v.Past.StartsWith(v.Verb, StringComparison.Ordinal) && v.Past.EndsWith("ed", StringComparison.Ordinal)) && !verbs.Any(o => o.Verb == v.Verb && o.Past == Regularise(v.Verb))).ToList();
        rng.Shuffle(past);
        foreach (var v in past.Take(150))
        {
            var subject = Subjects[rng.Next(Subjects.Length)];
            items.Add(Pair(rng, $"irregular_past-{v.Verb}", "irregular_past", $"{TimeFrames[rng.Next(TimeFrames.Length)]} {subject}", $" {v.Past}.", $" {Regularise(v.Verb)}."));
        }

        var participle = usable.Where(v => v.Participle != v.Past && !verbs.Any(o => o.Verb == v.Verb && (o.Participle == v.Past || o.Past == v.Participle))).ToList();
        rng.Shuffle(participle);
        foreach (var v in participle.Take(100))
        {
            var subject = Subjects[rng.Next(Subjects.Length)];
            items.Add(Pair(rng, $"past_participle-{v.Verb}", "past_participle", $"{Capitalise(subject)} has", $" {v.Participle}.", $" {v.Past}."));
        }

        var agreement = usable.Where(v => v.Verb != "have").ToList();
        rng.Shuffle(agreement);
        int k = 0;
        foreach (var v in agreement.Take(150))
        {
            var (singular, plural) = Nouns[rng.Next(Nouns.Length)];
            var adverb = Adverbs[rng.Next(Adverbs.Length)];
            bool plur = k++ % 2 == 1;
            var third = ThirdPersonSingular(v.Verb);
            items.Add(plur
                ? Pair(rng, $"agreement-{v.Verb}-pl", "agreement", $"The {plural} {adverb}", $" {v.Verb}.", $" {third}.")
                : Pair(rng, $"agreement-{v.Verb}-sg", "agreement", $"The {singular} {adverb}", $" {third}.", $" {v.Verb}."));
        }
        return items;
    }

    static readonly string[] Prefixes = ["re", "un", "pre", "under", "over", "out", "mis", "fore", "up", "co", "de", "inter", "sub", "off", "in",
        "back", "down", "hand", "free", "cross", "broad", "sand", "sight", "spoon", "test", "quick", "lip", "jerry", "with", "by"];

    static bool IsPrefixed(string verb, HashSet<string> verbs) =>
        Prefixes.Any(p => verb.Length > p.Length + 1 && verb.StartsWith(p, StringComparison.Ordinal) && verbs.Contains(verb[p.Length..]));

    static MultipleChoiceItem Pair(StableRandom rng, string id, string group, string context, string good, string bad)
    {
        bool goodFirst = rng.Next(2) == 0;
        return new MultipleChoiceItem(id, group, context, goodFirst ? [good, bad] : [bad, good], goodFirst ? 0 : 1);
    }

    static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    static bool IsVowel(char c) => "aeiou".Contains(c);

    /// <summary>The over-regularised "-ed" past (the wrong form a rule-only learner produces): bake→baked, cry→cried, run→runned.</summary>
    internal static string Regularise(string verb)
    {
        if (verb.EndsWith('e')) return verb + "d";
        if (verb.Length > 1 && verb.EndsWith('y') && !IsVowel(verb[^2])) return verb[..^1] + "ied";
        // Short consonant–vowel–consonant stems double the consonant (stop→stopped).
        if (verb.Length is >= 3 and <= 4 && !IsVowel(verb[^1]) && "wxy".IndexOf(verb[^1]) < 0 && IsVowel(verb[^2]) && !IsVowel(verb[^3])
            && verb.Count(IsVowel) == 1)
            return verb + verb[^1] + "ed";
        return verb + "ed";
    }

    /// <summary>Present third-person singular: go→goes, fly→flies, catch→catches, run→runs.</summary>
    internal static string ThirdPersonSingular(string verb)
    {
        if (verb == "have") return "has";
        if (verb.EndsWith('s') || verb.EndsWith('x') || verb.EndsWith('z') || verb.EndsWith("ch") || verb.EndsWith("sh") || verb.EndsWith('o'))
            return verb + "es";
        if (verb.Length > 1 && verb.EndsWith('y') && !IsVowel(verb[^2])) return verb[..^1] + "ies";
        return verb + "s";
    }
}
