using System.Text;
using Harness.Data.Mixes;
using System.Text.Json;
using Harness.Evaluation.Tasks;

namespace Harness.Evaluation;

/// <summary>
/// Rebuilds the committed task data (Evaluation/Tasks/data/*.jsonl).  Two stages, both deterministic:
/// <list type="number">
/// <item>Extraction (only with a sources directory): raw third-party data → the compact tables verbs.v1.jsonl and
/// facts.v1.jsonl.  The raw packages are not committed; the tables are, with their licences (SOURCES.md).</item>
/// <item>Item building: tables → grammar.v1.jsonl and knowledge.v1.jsonl with fixed seeds.</item>
/// </list>
/// Without a sources directory the committed tables are used, so the item files can always be rebuilt and checked
/// byte-for-byte (a test does exactly that).  Expected layout of the sources directory (see SOURCES.md for commands):
/// <c>english-verbs-irregular/package/dist/verbs.json</c>, <c>countries-list/package/{countries,continents,currencies}.min.json</c>,
/// <c>wordnet/{index.noun,data.noun}</c>.
/// </summary>
public static class TaskDataBuilder
{
    public const int GrammarSeed = 1;
    public const int KnowledgeSeed = 1;
    /// <summary>WordNet nouns kept (most frequent in the SemCor tag counts first; glosses starting with a domain label such as "(physics)" are skipped).</summary>
    public const int WordNetNouns = 250;

    /// <summary>Writes every data file into <paramref name="outputDirectory"/> (atomically; the fact table into
    /// <paramref name="factTableDirectory"/> when given, since it lives in Data/Mixes) and returns their paths.</summary>
    public static IReadOnlyList<string> BuildAll(string outputDirectory, string? sourcesDirectory, string? factTableDirectory = null)
    {
        var verbs = sourcesDirectory is null ? TaskData.LoadEmbedded<VerbForms>(TaskData.VerbsFile) : ExtractVerbs(sourcesDirectory);
        var facts = sourcesDirectory is null ? TaskData.LoadEmbedded<Fact>(TaskData.FactsFile) : ExtractFacts(sourcesDirectory);
        var files = new (string Name, string Text)[]
        {
            (TaskData.VerbsFile, TaskData.ToJsonl(verbs)),
            (TaskData.FactsFile, TaskData.ToJsonl(facts)),
            (TaskData.GrammarFile, TaskData.ToJsonl(GrammarTask.Build(verbs, GrammarSeed))),
            (TaskData.KnowledgeFile, TaskData.ToJsonl(KnowledgeTask.Build(facts, KnowledgeSeed))),
        };
        Directory.CreateDirectory(outputDirectory);
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            var directory = name == TaskData.FactsFile && factTableDirectory is not null ? factTableDirectory : outputDirectory;
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, name);
            TaskData.WriteFile(path, text);
            paths.Add(path);
        }
        return paths;
    }

    static string Require(string sources, string relative)
    {
        var path = Path.Combine(sources, relative);
        if (!File.Exists(path))
            throw new UserInputException($"task sources: '{path}' not found; lay out the raw sources as described in Evaluation/Tasks/data/SOURCES.md.");
        return path;
    }

    /// <summary>Every (verb, past, participle) variant of english-verbs-irregular (Apache-2.0), in file order; letters-only verbs.</summary>
    public static IReadOnlyList<VerbForms> ExtractVerbs(string sources)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Require(sources, "english-verbs-irregular/package/dist/verbs.json")));
        var verbs = new List<VerbForms>();
        foreach (var verb in doc.RootElement.EnumerateObject())
        {
            if (!verb.Name.All(char.IsAsciiLetterLower)) continue;
            foreach (var variant in verb.Value.EnumerateArray())
                verbs.Add(new VerbForms(verb.Name, variant[0].GetString()!, variant[1].GetString()!));
        }
        return verbs;
    }

    /// <summary>Country facts (countries-list, MIT) then WordNet noun facts (WordNet 3.0 licence).</summary>
    public static IReadOnlyList<Fact> ExtractFacts(string sources) => [.. ExtractCountryFacts(sources), .. ExtractWordNetFacts(sources)];

    /// <summary>
    /// capital / continent / currency of each sovereign entry (no "partOf"), ordered by ISO code.  Capitals and currency
    /// names that repeat a word of the country's name (Mexico City, "United Arab Emirates Dirham") are dropped: they can
    /// be answered by copying from the question.
    /// </summary>
    public static IReadOnlyList<Fact> ExtractCountryFacts(string sources)
    {
        using var countries = JsonDocument.Parse(File.ReadAllText(Require(sources, "countries-list/package/countries.min.json")));
        using var continents = JsonDocument.Parse(File.ReadAllText(Require(sources, "countries-list/package/continents.min.json")));
        using var currencies = JsonDocument.Parse(File.ReadAllText(Require(sources, "countries-list/package/currencies.min.json")));
        var facts = new List<Fact>();
        foreach (var entry in countries.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var c = entry.Value;
            if (c.TryGetProperty("partOf", out _)) continue;
            var name = c.GetProperty("name").GetString()!;
            var continentCode = c.GetProperty("continent").GetString()!;
            if (continentCode == "AN") continue;
            var capital = c.TryGetProperty("capital", out var cap) ? cap.GetString() ?? "" : "";
            if (capital.Length > 0 && !SharesWord(capital, name)) facts.Add(new Fact("capital", name, capital));
            facts.Add(new Fact("continent", name, continents.RootElement.GetProperty(continentCode).GetString()!));
            if (c.TryGetProperty("currency", out var cur) && cur.GetArrayLength() > 0
                && currencies.RootElement.TryGetProperty(cur[0].GetString()!, out var currency))
            {
                var currencyName = currency.GetProperty("name").GetString()!;
                if (!SharesWord(currencyName, name)) facts.Add(new Fact("currency", name, currencyName));
            }
        }
        return facts;
    }

    static bool SharesWord(string a, string b)
    {
        static IEnumerable<string> Words(string s) => s.Split([' ', '-', ',', '.', '\''], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 4).Select(w => w.ToLowerInvariant());
        var set = Words(b).ToHashSet();
        return Words(a).Any(set.Contains);
    }

    /// <summary>
    /// The <see cref="WordNetNouns"/> nouns with the highest SemCor tag count (index.noun's tagsense_cnt; ties by
    /// lemma), 3–12 lower-case letters, whose first sense has a short gloss (first clause, 10–90 characters, without the
    /// word itself) and a hypernym of at most two words: a "definition" fact (word, gloss) and a "hypernym" fact (word,
    /// hypernym's first lemma).  Formats: wndb(5WN).
    /// </summary>
    public static IReadOnlyList<Fact> ExtractWordNetFacts(string sources)
    {
        var data = File.ReadAllBytes(Require(sources, "wordnet/data.noun"));
        var candidates = new List<(string Lemma, int Tagged, long Offset)>();
        foreach (var line in File.ReadLines(Require(sources, "wordnet/index.noun")))
        {
            if (line.StartsWith(' ')) continue; // licence header
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var lemma = f[0];
            if (lemma.Length is < 3 or > 12 || !lemma.All(char.IsAsciiLetterLower)) continue;
            int pointers = int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
            int tagged = int.Parse(f[5 + pointers], System.Globalization.CultureInfo.InvariantCulture);
            long offset = long.Parse(f[6 + pointers], System.Globalization.CultureInfo.InvariantCulture);
            candidates.Add((lemma, tagged, offset));
        }
        var definitions = new List<Fact>();
        var hypernyms = new List<Fact>();
        foreach (var (lemma, _, offset) in candidates.OrderByDescending(c => c.Tagged).ThenBy(c => c.Lemma, StringComparer.Ordinal))
        {
            if (definitions.Count >= WordNetNouns) break;
            var synset = ReadSynset(data, offset);
            var gloss = synset.Gloss.Split(';')[0].Trim();
            if (gloss.Length is < 10 or > 90 || gloss.Contains('"') || gloss.StartsWith('(') || ContainsWord(gloss, lemma)) continue;
            if (synset.Hypernym is not long hyperOffset) continue;
            var hypernym = ReadSynset(data, hyperOffset).FirstWord.Replace('_', ' ');
            if (hypernym == lemma || hypernym.Split(' ').Length > 2 || !hypernym.All(ch => char.IsAsciiLetterLower(ch) || ch == ' ')) continue;
            definitions.Add(new Fact("definition", lemma, gloss));
            hypernyms.Add(new Fact("hypernym", lemma, hypernym));
        }
        return [.. definitions, .. hypernyms];
    }

    static bool ContainsWord(string text, string word) =>
        text.Split([' ', ',', '(', ')', '-', '\'', '.', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Any(w => w.StartsWith(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>One data.noun line at a byte offset: first word, first noun hypernym ("@") and gloss.</summary>
    static (string FirstWord, long? Hypernym, string Gloss) ReadSynset(byte[] data, long offset)
    {
        int end = Array.IndexOf(data, (byte)'\n', (int)offset);
        var line = Encoding.UTF8.GetString(data, (int)offset, (end < 0 ? data.Length : end) - (int)offset);
        int bar = line.IndexOf(" | ", StringComparison.Ordinal);
        var gloss = bar >= 0 ? line[(bar + 3)..].Trim() : "";
        var f = (bar >= 0 ? line[..bar] : line).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int words = Convert.ToInt32(f[3], 16);
        var first = f[4];
        int p = 4 + 2 * words;
        int pointers = int.Parse(f[p], System.Globalization.CultureInfo.InvariantCulture);
        long? hypernym = null;
        for (int i = 0; i < pointers; i++)
        {
            int at = p + 1 + 4 * i;
            if (f[at] == "@" && f[at + 2] == "n") { hypernym = long.Parse(f[at + 1], System.Globalization.CultureInfo.InvariantCulture); break; }
        }
        return (first, hypernym, gloss);
    }
}
