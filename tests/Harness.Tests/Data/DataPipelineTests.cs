using Harness.Data;
using Harness.Config;

namespace Harness.Tests.Data;

public class DataPipelineTests
{
    static readonly DataSpec SmallBpe = new(Tokenizer: new TokenizerSpec("bpe", 384), Split: new SplitSpec(0.1, 0.1, Seed: 3));

    static PreparedData PrepareSmall(string cache, DataSpec? spec = null)
    {
        var docs = SmallCorpus.Documents();
        return DataPipeline.Prepare(docs, CorpusFiles.Hash(docs), spec ?? SmallBpe, cache);
    }

    [Fact]
    public void Streams_decode_to_the_joined_split_text()
    {
        using var dir = new TempDirectory();
        var data = PrepareSmall(dir.Path);
        Assert.Equal(384, data.VocabSize);
        Assert.NotNull(data.TokenizerPath);
        var splits = new[] { (data.Train, data.Split.Train), (data.Validation, data.Split.Validation), (data.Test, data.Split.Test) };
        foreach (var (stream, docs) in splits)
        {
            var text = string.Join(DataPipeline.Separator, docs.Select(d => d.Text));
            Assert.Equal(text, data.Tokenizer.Decode(stream.Tokens));
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text), stream.Utf8Bytes);
            Assert.All(stream.Tokens, id => Assert.InRange(id, 0, data.VocabSize - 1));
            Assert.True(stream.BytesPerToken > 1.5);
        }
    }

    [Fact]
    public void Second_prepare_reads_the_cache_and_gives_identical_tokens()
    {
        using var dir = new TempDirectory();
        var first = PrepareSmall(dir.Path);
        var second = PrepareSmall(dir.Path);
        Assert.False(first.TokensFromCache);
        Assert.True(second.TokensFromCache);
        Assert.Equal(first.TokenizerHash, second.TokenizerHash);
        Assert.Equal(first.Train.Tokens, second.Train.Tokens);
        Assert.Equal(first.Validation.Tokens, second.Validation.Tokens);
        Assert.Equal(first.Test.Tokens, second.Test.Tokens);
        Assert.Equal(first.Test.Utf8Bytes, second.Test.Utf8Bytes);
    }

    [Fact]
    public void Damaged_cache_files_are_detected_and_rebuilt()
    {
        using var dir = new TempDirectory();
        var first = PrepareSmall(dir.Path);

        var bin = Directory.GetFiles(Path.Combine(dir.Path, "tokens"), "train.bin", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(bin);
        bytes[^1] ^= 0xFF; // same size, different payload: only the hash can tell
        File.WriteAllBytes(bin, bytes);
        File.AppendAllText(first.TokenizerPath!, "garbage\n");

        var rebuilt = PrepareSmall(dir.Path);
        Assert.False(rebuilt.TokensFromCache);
        Assert.Equal(first.TokenizerHash, rebuilt.TokenizerHash);
        Assert.Equal(first.Train.Tokens, rebuilt.Train.Tokens);
        Assert.True(PrepareSmall(dir.Path).TokensFromCache);
    }

    [Fact]
    public void Cache_key_follows_the_split_and_tokenizer()
    {
        using var dir = new TempDirectory();
        var a = PrepareSmall(dir.Path);
        var otherSeed = PrepareSmall(dir.Path, SmallBpe with { Split = new SplitSpec(0.1, 0.1, Seed: 4) });
        var otherVocab = PrepareSmall(dir.Path, SmallBpe with { Tokenizer = new TokenizerSpec("bpe", 320) });
        Assert.False(otherSeed.TokensFromCache);
        Assert.False(otherVocab.TokensFromCache);
        Assert.NotEqual(a.TokenizerHash, otherSeed.TokenizerHash); // trained on a different train split
        Assert.Equal(320, otherVocab.VocabSize);
    }

    [Fact]
    public void Tokenizer_is_trained_on_train_documents_only()
    {
        using var dir = new TempDirectory();
        var data = PrepareSmall(dir.Path);
        var expected = BpeTrainer.Train(data.Split.Train.Select((d, i) => i + 1 < data.Split.Train.Count ? d.Text + DataPipeline.Separator : d.Text), 384);
        Assert.Equal(expected.Sha256, data.TokenizerHash);
    }

    [Fact]
    public void Parallel_encode_equals_per_document_encoding()
    {
        var docs = SmallCorpus.Texts();
        var tokenizer = TokenizerLoader.FromVocabulary(BpeTrainer.Train(docs, 300));
        var stream = DataPipeline.Encode(tokenizer, docs);
        var sequential = docs.SelectMany((d, i) => tokenizer.EncodeToIds(i + 1 < docs.Count ? d + DataPipeline.Separator : d)).ToArray();
        Assert.Equal(sequential, stream.Tokens);
        Assert.Empty(DataPipeline.Encode(tokenizer, []).Tokens);
    }

    [Fact]
    public void Tokenizer_copied_next_to_a_checkpoint_reloads()
    {
        using var dir = new TempDirectory();
        var data = PrepareSmall(dir.Path);
        var checkpoint = Path.Combine(dir.Path, "checkpoint");
        var path = data.CopyTokenizerTo(checkpoint);
        Assert.Equal(Path.Combine(checkpoint, TokenizerLoader.TiktokenFileName), path);
        var text = data.Split.Test[0].Text;
        Assert.Equal(data.Tokenizer.EncodeToIds(text), TokenizerLoader.Load(path).EncodeToIds(text));
    }

    [Fact]
    public void Gpt2_prepares_without_a_rank_file_and_copies_a_descriptor()
    {
        using var dir = new TempDirectory();
        var docs = SmallCorpus.Documents(2);
        var data = DataPipeline.Prepare(docs, CorpusFiles.Hash(docs), new DataSpec(Tokenizer: new TokenizerSpec("gpt2")), dir.Path);
        Assert.Null(data.TokenizerPath);
        Assert.Equal(50257, data.VocabSize);
        var descriptor = data.CopyTokenizerTo(Path.Combine(dir.Path, "ckpt"));
        Assert.EndsWith(TokenizerLoader.DescriptorFileName, descriptor);
        Assert.Equal(data.Train.Tokens[..50], TokenizerLoader.Load(descriptor).EncodeToIds(data.Split.Train[0].Text).Take(50));
    }

    [Fact]
    public void Jsonl_corpus_path_is_accepted_and_bad_specs_list_every_problem()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "corpus.jsonl");
        File.WriteAllLines(path, SmallCorpus.Documents(2).Select(d => System.Text.Json.JsonSerializer.Serialize(
            new { id = d.Id, source = d.Source, title = d.Title, text = d.Text[..Math.Min(2000, d.Text.Length)] })));
        var data = DataPipeline.Prepare(new DataSpec(path, new TokenizerSpec("bpe", 300)), Path.Combine(dir.Path, "cache"));
        Assert.Equal(300, data.VocabSize);

        var e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(
            new DataSpec("missing.txt", new TokenizerSpec("bpe", 10), new SplitSpec(0.6, 0.6)), dir.Path));
        Assert.Equal(3, e.Problems.Count);
    }
}
