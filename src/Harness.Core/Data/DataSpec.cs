using System.Globalization;

namespace Harness.Data;

/// <summary>What data a run trains and evaluates on.</summary>
/// <param name="Corpus">"embedded" (the bundled SOTU + Moby Dick corpus) or a path to a .jsonl/.jsonl.gz file with
/// one {"id","source","title","text"} object per line.</param>
/// <param name="Tokenizer">Defaults to <c>new TokenizerSpec()</c> (trained BPE, 1024 ranks).</param>
/// <param name="Split">Defaults to <c>new SplitSpec()</c> (5% validation, 5% test, seed 0).</param>
public sealed record DataSpec(string Corpus = "embedded", TokenizerSpec? Tokenizer = null, SplitSpec? Split = null)
{
    public const string Embedded = "embedded";
    public TokenizerSpec TokenizerOrDefault => Tokenizer ?? new TokenizerSpec();
    public SplitSpec SplitOrDefault => Split ?? new SplitSpec();
}

/// <summary>
/// Checks data settings and returns every problem at once, each naming the config file, the field, the value, the
/// rule and the fix.  Field names are the snake_case JSON names under <paramref name="field"/> prefixes.
/// </summary>
public static class DataSpecValidator
{
    public static IReadOnlyList<string> Validate(DataSpec spec, string jsonPath, string field = "data")
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(spec.Corpus))
            problems.Add($"{jsonPath}: {field}.corpus is empty: give \"embedded\" or a path to a .jsonl/.jsonl.gz corpus file.");
        else if (spec.Corpus != DataSpec.Embedded)
        {
            bool jsonl = spec.Corpus.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
                         || spec.Corpus.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase);
            if (!jsonl)
                problems.Add($"{jsonPath}: {field}.corpus = \"{spec.Corpus}\": must be \"embedded\" or a .jsonl/.jsonl.gz file; convert the corpus to JSONL (id, source, title, text per line).");
            else if (!File.Exists(spec.Corpus))
                problems.Add($"{jsonPath}: {field}.corpus = \"{spec.Corpus}\": file not found; fix the path (relative paths resolve against {Directory.GetCurrentDirectory()}) or use \"embedded\".");
        }
        problems.AddRange(Validate(spec.TokenizerOrDefault, jsonPath, field + ".tokenizer"));
        problems.AddRange(Validate(spec.SplitOrDefault, jsonPath, field + ".split"));
        return problems;
    }

    public static IReadOnlyList<string> Validate(TokenizerSpec spec, string jsonPath, string field = "data.tokenizer")
    {
        var problems = new List<string>();
        if (spec.Kind is not (TokenizerSpec.Bpe or TokenizerSpec.Gpt2))
            problems.Add($"{jsonPath}: {field}.kind = \"{spec.Kind}\": must be \"bpe\" (trained on the train split) or \"gpt2\" (stock, {TokenizerSpec.Gpt2VocabSize} tokens); pick one.");
        else if (spec.Kind == TokenizerSpec.Bpe && spec.VocabSize is <= 256 or > TokenizerSpec.MaxBpeVocabSize)
            problems.Add($"{jsonPath}: {field}.vocab_size = {spec.VocabSize.ToString(CultureInfo.InvariantCulture)}: must be > 256 (the single bytes) and ≤ {TokenizerSpec.MaxBpeVocabSize} (ids are cached as uint16); use e.g. 1024 or 2048.");
        return problems;
    }

    public static IReadOnlyList<string> Validate(SplitSpec spec, string jsonPath, string field = "data.split")
    {
        var problems = new List<string>();
        void Fraction(string name, double value)
        {
            if (!double.IsFinite(value) || value <= 0 || value >= 1)
                problems.Add($"{jsonPath}: {field}.{name} = {value.ToString("R", CultureInfo.InvariantCulture)}: must be a fraction of documents strictly between 0 and 1; use e.g. 0.05.");
        }
        Fraction("validation_fraction", spec.ValidationFraction);
        Fraction("test_fraction", spec.TestFraction);
        if (problems.Count == 0 && spec.ValidationFraction + spec.TestFraction >= 1)
            problems.Add($"{jsonPath}: {field}.validation_fraction + test_fraction = {(spec.ValidationFraction + spec.TestFraction).ToString("R", CultureInfo.InvariantCulture)}: must be < 1 so documents remain for training; lower one of them.");
        return problems;
    }
}
