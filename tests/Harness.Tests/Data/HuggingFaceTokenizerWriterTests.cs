using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Modeling;

namespace Harness.Tests.Data;

/// <summary>A test that needs Hugging Face's tokenizers.js (npm @huggingface/tokenizers); skips with the reason where it is missing.</summary>
public sealed class TokenizersJsFactAttribute : FactAttribute
{
    public TokenizersJsFactAttribute()
    {
        if (ReferenceTokenizers.NodeUnavailable is { } why) Skip = why;
        else if (!File.Exists(Path.Combine(ReferenceTokenizers.NodeModules, "@huggingface", "tokenizers", "package.json")))
            Skip = $"npm package @huggingface/tokenizers not found in {ReferenceTokenizers.NodeModules}: npm install --prefix .cache/tokenizer-references the packages of tests/tools/tokenizer-references/package.json (.ci/run does)";
    }
}

/// <summary>`harness export --format hf` writes a trained BPE as tokenizer.json that other implementations read to the same ids.</summary>
public class HuggingFaceTokenizerWriterTests
{
    /// <summary>Held-out prose plus what byte-level BPE gets wrong first: contractions, digits, runs of spaces, tabs,
    /// newlines, accents, CJK, emoji (4-byte UTF-8), leading and trailing whitespace.</summary>
    static readonly Lazy<IReadOnlyList<string>> Texts = new(() =>
    [
        .. SmallCorpus.Full.Skip(40).Take(6).Select(d => d.Text[..Math.Min(3000, d.Text.Length)]),
        "Hello, world! It's 2024 — they'll say we're fine, I'd guess; you've been 'quoted'.",
        "naïve café über señor Ærøskøbing", "日本語のテキストと中文", "emoji 😀🚀 and ZWJ 👩‍💻 sequences",
        "   leading spaces", "trailing spaces   ", "tabs\t\tand\nnew\n\n\nlines \n ", "12345 67 8.9e10 0x1F", "a", " ", "",
        "CamelCaseWords and snake_case_words and URLs https://example.com/a?b=c&d=e",
    ]);

    static (string Export, BpeVocabulary Vocabulary) ExportedCheckpoint()
    {
        var vocabulary = BpeTrainer.Train(SmallCorpus.Texts(2), 400);
        var root = TestSupport.TempDirectory();
        var checkpoint = Path.Combine(root, "ckpt");
        Directory.CreateDirectory(checkpoint);
        vocabulary.Save(Path.Combine(checkpoint, TokenizerLoader.TiktokenFileName));
        var shape = new GptConfig(vocabulary.Count, 16, 1, 2, 16);
        using (var model = new Gpt(shape))
            Checkpoint.Save(model, checkpoint, new CheckpointInfo { Model = shape, TokenizerFile = TokenizerLoader.TiktokenFileName, TokenizerKind = TokenizerSpec.Bpe });
        var export = Path.Combine(root, "hf");
        var files = HuggingFaceExport.Write(checkpoint, export);
        Assert.Contains(Path.Combine(export, "tokenizer.json"), files);
        Assert.Contains(Path.Combine(export, "tokenizer_config.json"), files);
        return (export, vocabulary);
    }

    [Fact]
    public void Exported_tokenizer_json_is_byte_level_bpe_and_our_hugging_face_loader_gives_the_rank_files_ids()
    {
        var (export, vocabulary) = ExportedCheckpoint();
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(export, "tokenizer.json"))))
        {
            var r = json.RootElement;
            Assert.Equal("BPE", r.GetProperty("model").GetProperty("type").GetString());
            Assert.Equal(vocabulary.Count, r.GetProperty("model").GetProperty("vocab").EnumerateObject().Count());
            Assert.True(r.GetProperty("model").GetProperty("merges").GetArrayLength() >= vocabulary.Count - 256);
            Assert.Equal("ByteLevel", r.GetProperty("pre_tokenizer").GetProperty("type").GetString());
            Assert.Equal("ByteLevel", r.GetProperty("decoder").GetProperty("type").GetString());
            Assert.Equal(0, r.GetProperty("added_tokens").GetArrayLength());
        }
        Assert.Equal(TokenizerSpec.Bpe, ModelFolder.OpenTokenizer(export).Kind);   // the harness still reads its rank file first
        var ours = TokenizerLoader.Open(Path.Combine(export, TokenizerLoader.TiktokenFileName)).Tokenizer;
        var hf = TokenizerLoader.Open(Path.Combine(export, "tokenizer.json"));
        Assert.Equal(TokenizerSpec.HuggingFace, hf.Kind);
        Assert.Equal(vocabulary.Count, hf.VocabSize);
        var (count, examples) = ReferenceTokenizers.Mismatches(Texts.Value, t => hf.Tokenizer.EncodeToIds(t),
            Texts.Value.Select(t => ours.EncodeToIds(t).ToArray()).ToArray());
        Assert.True(count == 0, $"{count} of {Texts.Value.Count} texts differ:\n{examples}");
        Assert.All(Texts.Value, t => Assert.Equal(t, hf.Tokenizer.Decode(hf.Tokenizer.EncodeToIds(t))));
    }

    [TokenizersJsFact]
    public void Hugging_faces_tokenizers_js_reads_the_export_to_the_rank_files_ids()
    {
        var (export, _) = ExportedCheckpoint();
        var ours = TokenizerLoader.Open(Path.Combine(export, TokenizerLoader.TiktokenFileName)).Tokenizer;
        var reference = ReferenceTokenizers.NodeIds("hf-json:" + export, Texts.Value);
        var (count, examples) = ReferenceTokenizers.Mismatches(Texts.Value, t => ours.EncodeToIds(t), reference);
        Assert.True(count == 0, $"{count} of {Texts.Value.Count} texts differ between the rank file and tokenizers.js:\n{examples}");
    }
}
