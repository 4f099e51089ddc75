using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Config;
using Harness.Data;
using Harness.Modeling;

namespace Harness.Tests.Data;

/// <summary>
/// The stock encodings, the "hf" kind, the checkpoint descriptor (new name, old name still read) and the config checks,
/// without external references (those are in <see cref="TokenizerReferenceTests"/>).
/// </summary>
public class StockTokenizerTests
{
    static string Repo => ReferenceTokenizers.RepositoryRoot;

    [Theory]
    [InlineData("gpt2")]
    [InlineData("r50k_base")]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void Stock_encoding_vocabulary_size_is_the_config_table_and_bounds_every_id(string kind)
    {
        var loaded = TokenizerLoader.CreateStock(kind);
        Assert.Equal(TokenizerSpec.StockVocabSizes[kind], loaded.VocabSize);
        Assert.Equal(loaded.VocabSize, new TokenizerSpec(kind).EffectiveVocabSize);
        Assert.Equal(loaded.VocabSize, TokenizerLoader.VocabSize(new TokenizerSpec(kind)));
        foreach (var text in TokenizerTestTexts.All.Take(80))
        {
            var ids = loaded.Tokenizer.EncodeToIds(text);
            Assert.All(ids, id => Assert.InRange(id, 0, loaded.VocabSize - 1));
            Assert.Equal(text, loaded.Tokenizer.Decode(ids));
        }
        Assert.NotEqual(TokenizerLoader.CreateStock(kind == "gpt2" ? "cl100k_base" : "gpt2").Sha256, loaded.Sha256);
    }

    [Fact]
    public void Stock_encodings_differ_where_they_should()
    {
        const string text = "    indented code with   spaces and 12345";
        var gpt2 = TokenizerLoader.CreateStock("gpt2").Tokenizer.EncodeToIds(text);
        Assert.Equal(gpt2, TokenizerLoader.CreateStock("r50k_base").Tokenizer.EncodeToIds(text));
        Assert.True(TokenizerLoader.CreateStock("cl100k_base").Tokenizer.EncodeToIds(text).Count < gpt2.Count);
    }

    [Fact]
    public void Cl100k_prepares_uint32_tokens_and_checkpoints_a_descriptor_that_reloads()
    {
        using var dir = new TempDirectory();
        var docs = SmallCorpus.Documents(2);
        var data = DataPipeline.Prepare(docs, CorpusFiles.Hash(docs), new DataSpec(Tokenizer: new TokenizerSpec("cl100k_base")), dir.Path);
        Assert.Null(data.TokenizerPath);
        Assert.Equal(100277, data.VocabSize);
        Assert.Equal(TokenizerLoader.DescriptorFileName, data.TokenizerFileName);
        var checkpoint = Path.Combine(dir.Path, "ckpt");
        var descriptor = data.CopyTokenizerTo(checkpoint);
        Assert.Equal(Path.Combine(checkpoint, TokenizerLoader.DescriptorFileName), descriptor);
        Assert.False(File.Exists(Path.Combine(checkpoint, "tokenizer.json")));
        Assert.Equal("cl100k_base", JsonNode.Parse(File.ReadAllText(descriptor))!["kind"]!.GetValue<string>());
        var reloaded = TokenizerLoader.ForCheckpoint(checkpoint, data.TokenizerFileName);
        Assert.Equal(data.Train.Tokens[..50], reloaded.Tokenizer.EncodeToIds(data.Split.Train[0].Text).Take(50));
        // A second preparation reads the cached streams (ids above 65535 survive the uint32 cache).
        var again = DataPipeline.Prepare(docs, CorpusFiles.Hash(docs), new DataSpec(Tokenizer: new TokenizerSpec("cl100k_base")), dir.Path);
        Assert.True(again.TokensFromCache);
        Assert.Equal(data.Train.Tokens, again.Train.Tokens);
    }

    [Fact]
    public void Shipped_teacher_checkpoint_still_loads_its_trained_tokenizer()
    {
        var dir = Path.Combine(Repo, "models", "teacher-tiny");
        var info = Checkpoint.ReadInfo(dir);
        var loaded = TokenizerLoader.ForCheckpoint(dir, info.TokenizerFile);
        Assert.Equal(TokenizerSpec.Bpe, loaded.Kind);
        Assert.Equal(info.Model.VocabSize, loaded.VocabSize);
        Assert.Equal(info.TokenizerHash, loaded.Sha256);
        Assert.Equal(loaded.Sha256, TokenizerLoader.OpenFolder(dir).Sha256);
    }

    [Fact]
    public void Old_checkpoint_with_a_tokenizer_json_descriptor_still_loads()
    {
        // Before issue #20 a GPT-2 checkpoint named no tokenizer file and carried tokenizer.json = {"kind":"gpt2",…}.
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(TokenizerLoader.LegacyDescriptorFileName), "{\"kind\":\"gpt2\",\"vocab_size\":50257}\n");
        var loaded = TokenizerLoader.ForCheckpoint(dir.Path, tokenizerFile: null);
        Assert.Equal("gpt2", loaded.Kind);
        Assert.Equal([15496, 995], loaded.Tokenizer.EncodeToIds("Hello world"));
        Assert.Equal("gpt2", TokenizerLoader.Open(dir.File("tokenizer.json")).Kind);
    }

    [Fact]
    public void A_hugging_face_tokenizer_json_beside_a_checkpoint_is_not_taken_for_a_descriptor()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("tokenizer.json"), TinyByteLevelTokenizerJson().ToJsonString());
        var hf = TokenizerLoader.OpenFolder(dir.Path);
        Assert.Equal(TokenizerSpec.HuggingFace, hf.Kind);
        // Our own trained tokenizer next to it is what the checkpoint names, and wins.
        var vocabulary = BpeTrainer.Train(SmallCorpus.Texts(1), 300);
        vocabulary.Save(dir.File(TokenizerLoader.TiktokenFileName));
        Assert.Equal(TokenizerSpec.Bpe, TokenizerLoader.ForCheckpoint(dir.Path, TokenizerLoader.TiktokenFileName).Kind);
        Assert.Equal(TokenizerSpec.Bpe, TokenizerLoader.OpenFolder(dir.Path).Kind);
    }

    [Fact]
    public void Hf_kind_prepares_from_a_model_folder_and_the_checkpoint_carries_the_file()
    {
        using var dir = new TempDirectory();
        var model = Path.Combine(dir.Path, "model");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "tokenizer.json"), TinyByteLevelTokenizerJson().ToJsonString());
        var docs = SmallCorpus.Documents(2);
        var spec = new DataSpec(Tokenizer: new TokenizerSpec("hf", Path: model));
        var data = DataPipeline.Prepare(docs, CorpusFiles.Hash(docs), spec, Path.Combine(dir.Path, "cache"));
        Assert.Equal(259, data.VocabSize); // 256 bytes, the merge "th", the added <|endoftext|>
        Assert.Equal(259, TokenizerLoader.VocabSize(spec.TokenizerOrDefault));
        Assert.Equal(data.Split.Train[0].Text, data.Tokenizer.Decode(data.Tokenizer.EncodeToIds(data.Split.Train[0].Text)));
        var checkpoint = Path.Combine(dir.Path, "ckpt");
        data.CopyTokenizerTo(checkpoint);
        Assert.True(File.Exists(Path.Combine(checkpoint, "tokenizer.json")));
        Assert.Equal([TokenizerLoader.DescriptorFileName, "tokenizer.json"], TokenizerLoader.CheckpointFiles(checkpoint, data.TokenizerFileName));
        var reloaded = TokenizerLoader.ForCheckpoint(checkpoint, data.TokenizerFileName);
        Assert.Equal(data.TokenizerHash, reloaded.Sha256);
        Assert.Equal(data.Train.Tokens[..40], reloaded.Tokenizer.EncodeToIds(data.Split.Train[0].Text).Take(40));
        // The descriptor pins the file: a changed tokenizer.json is refused, not silently used.
        File.WriteAllText(Path.Combine(checkpoint, "tokenizer.json"), TinyByteLevelTokenizerJson(withMerge: false).ToJsonString());
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.ForCheckpoint(checkpoint, data.TokenizerFileName));
        Assert.Contains("the tokenizer file changed", e.Message);
    }

    [Fact]
    public void Unsupported_tokenizer_json_is_refused_with_every_field_at_once()
    {
        using var dir = new TempDirectory();
        var json = TinyByteLevelTokenizerJson();
        json["model"]!["type"] = "WordPiece";
        json["model"]!["byte_fallback"] = true;
        json["normalizer"] = new JsonObject { ["type"] = "Lowercase" };
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" };
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Open(dir.File("tokenizer.json")));
        Assert.Contains(e.Problems, p => p.Contains("model.type = \"WordPiece\"") && p.Contains("\"BPE\""));
        Assert.Contains(e.Problems, p => p.Contains("model.byte_fallback = true"));
        Assert.Contains(e.Problems, p => p.Contains("normalizer.type = \"Lowercase\"") && p.Contains("NFC"));
        Assert.Contains(e.Problems, p => p.Contains("pre_tokenizer.type = \"Whitespace\"") && p.Contains("ByteLevel"));
        Assert.All(e.Problems, p => Assert.StartsWith(dir.File("tokenizer.json"), p));
    }

    [Fact]
    public void Nfc_normalizer_and_digit_splitting_are_applied()
    {
        using var dir = new TempDirectory();
        var json = TinyByteLevelTokenizerJson();
        json["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "NFC" }) };
        json["pre_tokenizer"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "Digits", ["individual_digits"] = true },
                                              new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true }),
        };
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        if (!UnicodeNormalizer.Available)
        {
            // The harness builds with InvariantGlobalization, where string.Normalize cannot change non-ASCII text:
            // the normalizer is refused rather than silently skipped.
            var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(dir.File("tokenizer.json")));
            Assert.Contains("normalizer: Unicode normalization (FormC) is not available", Assert.Single(e.Problems));
            json["normalizer"] = null;
            File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        }
        var tokenizer = TokenizerLoader.Load(dir.File("tokenizer.json"));
        // "e" + combining acute (NFD) becomes "é" (NFC): the two UTF-8 bytes of U+00E9, not three bytes.
        if (UnicodeNormalizer.Available) Assert.Equal(2, tokenizer.EncodeToIds("e\u0301").Count);
        Assert.Equal(3, tokenizer.EncodeToIds("123").Count);
        Assert.Equal(2, tokenizer.EncodeToIds("1a").Count);
        Assert.Single(tokenizer.EncodeToIds("th"));
    }

    [Fact]
    public void Tokenizer_config_checks_report_every_problem()
    {
        var unknown = Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("llama"), "run.json"));
        Assert.Contains("data.tokenizer.kind = \"llama\"", unknown);
        foreach (var kind in TokenizerSpec.Kinds) Assert.Contains($"\"{kind}\"", unknown);
        Assert.Contains("data.tokenizer.path is missing", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("hf"), "run.json")));
        Assert.Contains("no such file or folder", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("hf", Path: "/nonexistent/tok.json"), "run.json")));
        Assert.Contains("only kind \"hf\" reads a file", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("gpt2", Path: "x.json"), "run.json")));
        using var dir = new TempDirectory();
        Assert.Contains("neither tokenizer.json nor tokenizer.model", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("hf", Path: dir.Path), "run.json")));
        File.WriteAllText(dir.File("spm.vocab"), "<unk>\t0\n");
        Assert.Contains("must be a Hugging Face tokenizer.json (.json)", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("hf", Path: dir.File("spm.vocab")), "run.json")));
        foreach (var kind in TokenizerSpec.StockVocabSizes.Keys) Assert.Empty(DataSpecValidator.Validate(new TokenizerSpec(kind), "run.json"));
    }

    [Fact]
    public void Experiment_validation_reads_an_hf_tokenizer_for_its_size_and_problems()
    {
        using var dir = new TempDirectory();
        var good = dir.File("tokenizer.json");
        File.WriteAllText(good, TinyByteLevelTokenizerJson().ToJsonString());
        var config = JsonConfigReader.Read<ExperimentConfig>(File.ReadAllText(Path.Combine(Repo, "experiments", "quickstart.json")), "quickstart.json");
        var hf = config with { Data = config.Data with { Tokenizer = new TokenizerSpec("hf", Path: good) }, Kd = config.Kd with { TopK = 300 } };
        Assert.Contains(Harness.Pipelines.ExperimentValidator.StageProblems(hf, "x.json"), p => p.Contains("x.json.kd.top_k: value 300 is larger than the vocabulary (259"));
        var bad = dir.File("bad.json");
        var json = TinyByteLevelTokenizerJson();
        json["model"]!["type"] = "Unigram";
        File.WriteAllText(bad, json.ToJsonString());
        var problems = Harness.Pipelines.ExperimentValidator.StageProblems(hf with { Data = hf.Data with { Tokenizer = new TokenizerSpec("hf", Path: bad) } }, "x.json");
        Assert.Contains(problems, p => p.StartsWith("x.json.data.tokenizer.path: ") && p.Contains("model.type = \"Unigram\""));
    }

    [Fact]
    public void Config_reader_accepts_a_tokenizer_path_and_refuses_unknown_keys()
    {
        var spec = JsonConfigReader.Read<TokenizerSpec>("{\"kind\": \"hf\", \"path\": \"models/x\"}", "t.json");
        Assert.Equal(new TokenizerSpec("hf", Path: "models/x"), spec);
        Assert.Throws<UserInputException>(() => JsonConfigReader.Read<TokenizerSpec>("{\"kind\": \"hf\", \"file\": \"x\"}", "t.json"));
    }

    [Fact]
    public void Tokenizer_spec_serializes_as_before_so_config_hashes_stay_the_same()
    {
        // Results folders and unit keys hash the serialized config: the default spec must serialize exactly as before
        // issue #20 (no "path", no "is_stock"), and an "hf" spec must serialize at all (its size is in its file).
        Assert.Equal("{\"kind\":\"bpe\",\"vocab_size\":1024,\"effective_vocab_size\":1024}", Compact(new TokenizerSpec()));
        Assert.Equal("{\"kind\":\"hf\",\"vocab_size\":1024,\"path\":\"m\"}", Compact(new TokenizerSpec("hf", Path: "m")));
        Assert.Contains("\"effective_vocab_size\":100277", Compact(new TokenizerSpec("cl100k_base")));
    }

    static string Compact(TokenizerSpec spec) => JsonNode.Parse(JsonSerializer.Serialize(spec, Harness.IO.HarnessJson.Options))!.ToJsonString();

    /// <summary>
    /// A minimal byte-level BPE tokenizer.json: the 256 byte symbols (GPT-2's byte-to-character map), one merge
    /// ("t","h") and the added token &lt;|endoftext|&gt;, as Hugging Face's tokenizers writes them.
    /// </summary>
    internal static JsonObject TinyByteLevelTokenizerJson(bool withMerge = true)
    {
        var vocab = new JsonObject();
        int next = 0;
        var symbols = new string[256];
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            symbols[b] = ((char)(printable ? b : 256 + next++)).ToString();
        }
        for (int b = 0; b < 256; b++) vocab[symbols[b]] = b;
        vocab["th"] = 256;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = 258, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["vocab"] = vocab, ["merges"] = withMerge ? new JsonArray("t h") : new JsonArray(),
            },
        };
    }
}
