namespace Harness.Data.Mixes;

/// <summary>
/// Phrasings of each relation.  Training phrasings render facts into the knowledge stream; the knowledge task asks
/// about the same facts in question–answer forms that never occur in training text, so a model scores above chance
/// only by recalling the fact, not by completing a memorised string (the held-out-template design of knowledge probes
/// such as LAMA, Petroni et al. 2019, and of Allen-Zhu &amp; Li 2023, "Physics of Language Models: Part 3.1, Knowledge
/// Storage and Extraction").
/// </summary>
public static class FactPhrasing
{
    /// <summary>Relation → training sentences ({s} subject, {o} object, {A s} / {A o} with an indefinite article, {S} capitalised subject).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Training = new Dictionary<string, string[]>
    {
        ["capital"] = ["The capital of {s} is {o}.", "{o} is the capital city of {s}.", "The government of {s} sits in {o}."],
        ["continent"] = ["{S} is a country in {o}.", "{S} lies in {o}.", "You will find {s} on the map of {o}."],
        ["currency"] = ["The currency of {s} is the {o}.", "In {s}, people pay with the {o}.", "Prices in {s} are given in the {o}."],
        ["definition"] = ["{A s} is {o}.", "The word \"{s}\" means {o}.", "{S}: {o}."],
        ["hypernym"] = ["{A S} is a kind of {o}.", "Every {s} is {A o}.", "The category {o} includes {A s}."],
    };

    public static string Render(string template, Fact fact) => template
        .Replace("{A S}", Capitalise(Article(fact.Subject)))
        .Replace("{A s}", Article(fact.Subject))
        .Replace("{A o}", Article(fact.Obj))
        .Replace("{S}", Capitalise(fact.Subject))
        .Replace("{s}", fact.Subject)
        .Replace("{o}", fact.Obj);

    /// <summary>"a dog", "an apple" (first-letter rule; good enough for the common nouns kept).</summary>
    static string Article(string noun) => ("aeiou".Contains(char.ToLowerInvariant(noun[0])) ? "an " : "a ") + noun;

    static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
