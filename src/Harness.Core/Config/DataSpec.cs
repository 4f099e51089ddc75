using System.Text.Json.Serialization;
using System.Globalization;

namespace Harness.Config;

/// <summary>What data a run trains and evaluates on.</summary>
/// <param name="Corpus">"embedded" (the bundled SOTU + Moby Dick corpus), or files: a path, folder or glob, a list of
/// them, or an object with options (see <see cref="CorpusSpec"/>); null means "embedded".</param>
/// <param name="Tokenizer">Defaults to <c>new TokenizerSpec()</c> (trained BPE, 1024 ranks).</param>
/// <param name="Split">Defaults to <c>new SplitSpec()</c> (5% validation, 5% test, seed 0).</param>
public sealed record DataSpec(CorpusSpec? Corpus = null, TokenizerSpec? Tokenizer = null, SplitSpec? Split = null)
{
    /// <summary>Extra training streams mixed into the train split (knowledge facts, arithmetic); validation and test stay corpus-only.</summary>
    public MixSpec? Mix { get; init; }

    public const string Embedded = CorpusSpec.Embedded;
    /// <summary>Never null once built: a missing corpus is "embedded", so configs and manifests read and write as before.</summary>
    // First in the serialized form, as the string it replaced was: configs hash (results folders, unit keys) as before.
    [JsonPropertyOrder(-1)]
    public CorpusSpec? Corpus { get; init; } = Corpus ?? CorpusSpec.Embedded;
    [JsonIgnore] public CorpusSpec CorpusOrDefault => Corpus ?? CorpusSpec.Embedded;
    /// <summary>Most passes over the unique training tokens a budget may ask for.  Muennighoff et al. 2023 ("Scaling
    /// Data-Constrained Language Models") found up to about 4 epochs of repeated tokens worth almost as much as new
    /// ones, after which their value decays quickly toward nothing; above this a measured multiplier describes
    /// memorisation.</summary>
    /// <remarks>Null (left out) means <see cref="DefaultMaxEpochs"/>; null keeps it out of written configs and manifests.</remarks>
    public double? MaxEpochs { get; init; }
    [JsonIgnore] public double MaxEpochsOrDefault => MaxEpochs ?? DefaultMaxEpochs;
    public const double DefaultMaxEpochs = 4;
    public TokenizerSpec TokenizerOrDefault => Tokenizer ?? new TokenizerSpec();
    public SplitSpec SplitOrDefault => Split ?? new SplitSpec();
}

/// <summary>
/// Checks data settings and returns every problem at once, each naming the config file, the field, the value, the
/// rule and the fix.  Field names are the snake_case JSON names under <paramref name="field"/> prefixes.
/// </summary>
public static class DataSpecValidator
{
    static string Prefix(string jsonPath) => string.IsNullOrEmpty(jsonPath) ? "" : jsonPath + ": ";

    public static IReadOnlyList<string> Validate(DataSpec spec, string jsonPath, string field = "data")
    {
        var problems = new List<string>();
        var corpus = spec.CorpusOrDefault;
        if (!corpus.IsEmbedded)
        {
            var found = new List<string>();
            corpus.ExpandFiles(found, field + ".corpus");
            problems.AddRange(found.Select(p => Prefix(jsonPath) + p));
            if (string.IsNullOrEmpty(corpus.TextField))
                problems.Add($"{Prefix(jsonPath)}{field}.corpus.text_field is empty: name the JSONL key or Parquet column that holds the text (default \"text\").");
            if (corpus.TxtSeparator is "")
                problems.Add($"{Prefix(jsonPath)}{field}.corpus.txt_separator is empty: leave it out (one document per .txt file) or give a separator such as \"\\n\\n\\n\".");
        }
        if (spec.MaxEpochs is { } maxEpochs && (!double.IsFinite(maxEpochs) || maxEpochs <= 0))
            problems.Add($"{Prefix(jsonPath)}{field}.max_epochs = {maxEpochs.ToString("R", CultureInfo.InvariantCulture)}: must be a positive number of passes over the training tokens (default {DataSpec.DefaultMaxEpochs}, Muennighoff et al. 2023).");
        problems.AddRange(Validate(spec.TokenizerOrDefault, jsonPath, field + ".tokenizer"));
        problems.AddRange(Validate(spec.SplitOrDefault, jsonPath, field + ".split"));
        if (spec.Mix is { } mix)
        {
            void Fraction(string name, double value)
            {
                if (!double.IsFinite(value) || value < 0 || value >= 0.9)
                    problems.Add($"{Prefix(jsonPath)}{field}.mix.{name} = {value.ToString("R", CultureInfo.InvariantCulture)}: must be a fraction of training characters in [0, 0.9); use e.g. 0.1.");
            }
            Fraction("knowledge_fraction", mix.KnowledgeFraction);
            Fraction("arithmetic_fraction", mix.ArithmeticFraction);
            if (mix.KnowledgeFraction + mix.ArithmeticFraction >= 0.9)
                problems.Add($"{Prefix(jsonPath)}{field}.mix: knowledge_fraction + arithmetic_fraction = {(mix.KnowledgeFraction + mix.ArithmeticFraction).ToString("R", CultureInfo.InvariantCulture)} must be < 0.9 so the corpus stays the bulk of training text.");
            if (mix.ArithmeticDigits is < 1 or > 6)
                problems.Add($"{Prefix(jsonPath)}{field}.mix.arithmetic_digits = {mix.ArithmeticDigits}: must be 1..6 (the arithmetic_<N>d tasks).");
        }
        return problems;
    }

    public static IReadOnlyList<string> Validate(TokenizerSpec spec, string jsonPath, string field = "data.tokenizer")
    {
        var problems = new List<string>();
        var at = $"{Prefix(jsonPath)}{field}";
        if (!TokenizerSpec.Kinds.Contains(spec.Kind))
            problems.Add($"{at}.kind = \"{spec.Kind}\": must be one of {string.Join(", ", TokenizerSpec.Kinds.Select(k => $"\"{k}\""))}: \"bpe\" is trained on the train split, "
                         + "\"gpt2\"/\"r50k_base\"/\"cl100k_base\"/\"o200k_base\" are the stock tiktoken encodings, \"hf\" reads a Hugging Face tokenizer.json or SentencePiece tokenizer.model given by \"path\"; pick one.");
        else if (spec.Kind == TokenizerSpec.Bpe && spec.VocabSize is <= 256 or > TokenizerSpec.MaxBpeVocabSize)
            problems.Add($"{at}.vocab_size = {spec.VocabSize.ToString(CultureInfo.InvariantCulture)}: must be > 256 (the single bytes) and ≤ {TokenizerSpec.MaxBpeVocabSize} (ids are cached as uint16); use e.g. 1024 or 2048.");
        if (spec.Kind == TokenizerSpec.HuggingFace)
        {
            if (string.IsNullOrWhiteSpace(spec.Path))
                problems.Add($"{at}.path is missing: kind \"hf\" needs the path of a tokenizer.json, a tokenizer.model, or a model folder holding one.");
            else if (!File.Exists(spec.Path) && !Directory.Exists(spec.Path))
                problems.Add($"{at}.path = \"{spec.Path}\": no such file or folder; fix the path (relative paths resolve against {Directory.GetCurrentDirectory()}).");
            else if (File.Exists(spec.Path) && !spec.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !spec.Path.EndsWith(".model", StringComparison.OrdinalIgnoreCase))
                problems.Add($"{at}.path = \"{spec.Path}\": must be a Hugging Face tokenizer.json (.json), a SentencePiece tokenizer.model (.model), or a model folder holding one.");
            else if (Directory.Exists(spec.Path) && !File.Exists(System.IO.Path.Combine(spec.Path, "tokenizer.json")) && !File.Exists(System.IO.Path.Combine(spec.Path, "tokenizer.model")))
                problems.Add($"{at}.path = \"{spec.Path}\": the folder holds neither tokenizer.json nor tokenizer.model; point to the model folder that has one, or to the file itself.");
        }
        else if (spec.Path is not null)
            problems.Add($"{at}.path = \"{spec.Path}\": only kind \"hf\" reads a file; remove path, or set kind to \"hf\".");
        return problems;
    }

    public static IReadOnlyList<string> Validate(SplitSpec spec, string jsonPath, string field = "data.split")
    {
        var problems = new List<string>();
        void Fraction(string name, double value)
        {
            if (!double.IsFinite(value) || value <= 0 || value >= 1)
                problems.Add($"{Prefix(jsonPath)}{field}.{name} = {value.ToString("R", CultureInfo.InvariantCulture)}: must be a fraction of documents strictly between 0 and 1; use e.g. 0.05.");
        }
        Fraction("validation_fraction", spec.ValidationFraction);
        Fraction("test_fraction", spec.TestFraction);
        if (problems.Count == 0 && spec.ValidationFraction + spec.TestFraction >= 1)
            problems.Add($"{Prefix(jsonPath)}{field}.validation_fraction + test_fraction = {(spec.ValidationFraction + spec.TestFraction).ToString("R", CultureInfo.InvariantCulture)}: must be < 1 so documents remain for training; lower one of them.");
        return problems;
    }
}

/// <summary>How much of the training text comes from the knowledge and arithmetic streams (fractions of characters).</summary>
public sealed record MixSpec
{
    public double KnowledgeFraction { get; init; }
    public double ArithmeticFraction { get; init; }
    public int ArithmeticDigits { get; init; } = 2;
    public int Seed { get; init; }
}
