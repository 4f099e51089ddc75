using System.Text;
using Harness.Data;
using Harness.Config;

namespace Harness.Tests.Data;

public class BpeTokenizerTests
{
    static readonly Lazy<BpeVocabulary> SmallVocabulary = new(() => BpeTrainer.Train(SmallCorpus.Texts(), 512));

    public static TheoryData<string> RoundTripTexts => new()
    {
        "",
        "Hello, world!",
        "  leading and trailing spaces  \n\n\ttabs\r\nCRLF",
        "It's 1790; they'll say \"we've\" 42,000 times.",
        "Naïve café — «quotes», Ελληνικά, Русский, 日本語のテキスト, עברית, हिन्दी",
        "Emoji: 🐋🌊 👩‍👩‍👧‍👦 🇺🇸 ❤️ and a ZWJ",
        "\0control\u0001\u007f chars and U+FFFD \uFFFD",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };

    [Theory]
    [MemberData(nameof(RoundTripTexts))]
    public void Trained_bpe_round_trips_any_text(string text)
    {
        var tokenizer = TokenizerLoader.FromVocabulary(SmallVocabulary.Value);
        var ids = tokenizer.EncodeToIds(text);
        Assert.All(ids, id => Assert.InRange(id, 0, SmallVocabulary.Value.Count - 1));
        Assert.Equal(text, tokenizer.Decode(ids) ?? "");
    }

    [Theory]
    [MemberData(nameof(RoundTripTexts))]
    public void Gpt2_round_trips_any_text(string text)
    {
        var tokenizer = TokenizerLoader.CreateGpt2();
        var ids = tokenizer.EncodeToIds(text);
        Assert.All(ids, id => Assert.InRange(id, 0, TokenizerSpec.Gpt2VocabSize - 1));
        Assert.Equal(text, tokenizer.Decode(ids) ?? "");
    }

    [Fact]
    public void Gpt2_matches_the_published_encoding()
    {
        // Reference ids from OpenAI's GPT-2 encoder (tiktoken "gpt2": "Hello world" → [15496, 995]).
        Assert.Equal([15496, 995], TokenizerLoader.CreateGpt2().EncodeToIds("Hello world"));
    }

    [Fact]
    public void Trained_vocabulary_compresses_better_than_bytes()
    {
        var tokenizer = TokenizerLoader.FromVocabulary(SmallVocabulary.Value);
        var text = SmallCorpus.Texts(1)[0];
        Assert.True(tokenizer.EncodeToIds(text).Count < Encoding.UTF8.GetByteCount(text) / 2.0);
    }

    [Fact]
    public void Training_is_deterministic_and_independent_of_text_order()
    {
        var texts = SmallCorpus.Texts();
        var a = BpeTrainer.Train(texts, 400).ToTiktokenBytes();
        var b = BpeTrainer.Train(texts, 400).ToTiktokenBytes();
        var reversed = BpeTrainer.Train(texts.Reverse(), 400).ToTiktokenBytes();
        Assert.Equal(a, b);
        Assert.Equal(a, reversed);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(777)]
    public void Vocabulary_size_is_respected_and_starts_with_the_bytes(int vocabSize)
    {
        var vocabulary = BpeTrainer.Train(SmallCorpus.Texts(2), vocabSize);
        Assert.Equal(vocabSize, vocabulary.Count);
        for (int b = 0; b < 256; b++)
            Assert.Equal([(byte)b], vocabulary[b].ToArray());
        var distinct = Enumerable.Range(0, vocabulary.Count).Select(r => Convert.ToBase64String(vocabulary[r])).Distinct().Count();
        Assert.Equal(vocabulary.Count, distinct);
    }

    [Fact]
    public void Stops_early_when_nothing_is_left_to_merge()
    {
        var vocabulary = BpeTrainer.Train(["ab ab"], 1000);
        // Pre-tokens "ab", " ab": merges a+b, then " "+"ab"; nothing else is adjacent.
        Assert.Equal(258, vocabulary.Count);
        Assert.Equal("ab"u8.ToArray(), vocabulary[256].ToArray());
        Assert.Equal(" ab"u8.ToArray(), vocabulary[257].ToArray());
    }

    [Fact]
    public void Most_frequent_pair_merges_first_with_bytewise_tie_break()
    {
        // Pre-tokens "aaab" x1, "\n" x3, "cd" x3: (c,d) has count 3 and wins; then (a,a) with 2 beats (a,b).
        var vocabulary = BpeTrainer.Train(["aaab\ncd\ncd\ncd"], 258);
        Assert.Equal("cd"u8.ToArray(), vocabulary[256].ToArray());
        Assert.Equal("aa"u8.ToArray(), vocabulary[257].ToArray());
        // Equal counts: pre-tokens "ab", "\n", "ba" → (a,b) and (b,a) once each; bytes (a,b) sort first.
        var tie = BpeTrainer.Train(["ab\nba"], 257);
        Assert.Equal("ab"u8.ToArray(), tie[256].ToArray());
    }

    [Fact]
    public void Rank_file_is_tiktoken_format_and_reloads_identically()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "vocab.tiktoken");
        SmallVocabulary.Value.Save(path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(SmallVocabulary.Value.Count, lines.Length);
        Assert.Equal("AA== 0", lines[0]);
        Assert.Equal("IA== 32", lines[32]);

        var reloaded = TokenizerLoader.Load(path);
        var original = TokenizerLoader.FromVocabulary(SmallVocabulary.Value);
        var text = SmallCorpus.Texts(1)[1];
        Assert.Equal(original.EncodeToIds(text), reloaded.EncodeToIds(text));
    }

    [Fact]
    public void Damaged_rank_file_is_a_user_error()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bad.tiktoken");
        File.WriteAllText(path, "AA== 0\nnot-base64! 1\n");
        var e = Assert.Throws<UserInputException>(() => TokenizerLoader.Load(path));
        Assert.Contains("line 2", e.Problems.Single());
    }

    [Fact]
    public void Tokenizer_spec_validation_names_file_field_and_fix()
    {
        Assert.Empty(DataSpecValidator.Validate(new TokenizerSpec(), "run.json"));
        Assert.Empty(DataSpecValidator.Validate(new TokenizerSpec("gpt2", 0), "run.json"));
        var small = DataSpecValidator.Validate(new TokenizerSpec("bpe", 256), "run.json");
        Assert.Contains("run.json: data.tokenizer.vocab_size = 256", Assert.Single(small));
        Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("bpe", 70000), "run.json"));
        Assert.Contains("data.tokenizer.kind = \"wordpiece\"", Assert.Single(DataSpecValidator.Validate(new TokenizerSpec("wordpiece"), "run.json")));
        Assert.Equal(TokenizerSpec.Gpt2VocabSize, new TokenizerSpec("gpt2").EffectiveVocabSize);
    }
}
