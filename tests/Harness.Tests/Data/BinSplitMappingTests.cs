using System.Buffers.Binary;
using System.Text.Json;
using Harness.Config;
using Harness.Data;

namespace Harness.Tests.Data;

/// <summary>data.corpus.splits: an explicit split per pre-tokenized .bin file, beside the file-name rule.</summary>
public class BinSplitMappingTests
{
    static byte[] UInt16Ids(int[] ids)
    {
        var bytes = new byte[ids.Length * 2];
        for (int i = 0; i < ids.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)ids[i]);
        return bytes;
    }

    static int[] Ids(int seed, int count) { var rng = new Random(seed); return Enumerable.Range(0, count).Select(_ => rng.Next(50000)).Append(50256).ToArray(); }

    [Fact]
    public void Splits_map_bin_files_by_name_or_glob_ahead_of_the_file_name_rule()
    {
        using var dir = new TempDirectory();
        var a = Ids(1, 300); var b = Ids(2, 200); var c = Ids(3, 100); var held = Ids(4, 150);
        File.WriteAllBytes(dir.File("shard_000.bin"), UInt16Ids(a));
        File.WriteAllBytes(dir.File("shard_001.bin"), UInt16Ids(b));
        File.WriteAllBytes(dir.File("shard_002.bin"), UInt16Ids(c));
        File.WriteAllBytes(dir.File("train_heldout.bin"), UInt16Ids(held)); // its name says train; the mapping wins
        var corpus = new CorpusSpec([dir.File("*.bin")])
        {
            Splits = new Dictionary<string, string> { ["train_heldout.bin"] = "validation", ["shard_002.bin"] = "test", ["shard_*.bin"] = "train" },
        };
        using var data = DataPipeline.Prepare(new DataSpec(corpus, new TokenizerSpec("gpt2")), dir.File("cache"));
        Assert.Equal(a.Concat(b), data.Train.Tokens);
        Assert.Equal(held, data.Validation.Tokens);
        Assert.Equal(c, data.Test.Tokens);

        // Without the mapping the same files are a different corpus (another store), and the names alone do not say.
        var e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(new CorpusSpec([dir.File("shard_*.bin")]), new TokenizerSpec("gpt2")), dir.File("cache")));
        Assert.Contains(e.Problems, p => p.Contains("shard_000.bin") && p.Contains("data.corpus.splits"));
    }

    [Fact]
    public void The_splits_key_round_trips_through_config_json_and_bad_entries_are_refused_at_once()
    {
        var spec = JsonConfigReader.Read<DataSpec>("""{ "corpus": { "paths": "data/*.bin", "splits": { "val.bin": "validation", "x*.bin": "test" } }, "tokenizer": { "kind": "gpt2" } }""", "t.json");
        Assert.Equal(1, spec.CorpusOrDefault.SplitFor("/x/val.bin"));
        Assert.Equal(2, spec.CorpusOrDefault.SplitFor("x12.bin"));
        Assert.Null(spec.CorpusOrDefault.SplitFor("train.bin"));
        var json = JsonSerializer.Serialize(spec.CorpusOrDefault, JsonConfigReader.Options);
        Assert.Equal(spec.CorpusOrDefault, JsonSerializer.Deserialize<CorpusSpec>(json, JsonConfigReader.Options));

        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<DataSpec>("""{ "corpus": { "paths": "d/*.bin", "splits": { "a.bin": "val", "b.bin": 3 } } }""", "t.json"));
        Assert.Contains(e.Problems, p => p.Contains("splits.a.bin") && p.Contains("\"validation\""));
        Assert.Contains(e.Problems, p => p.Contains("splits.b.bin"));
        e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<DataSpec>("""{ "corpus": { "paths": "d/*.bin", "splits": ["a.bin"] } }""", "t.json"));
        Assert.Contains(e.Problems, p => p.Contains("splits") && p.Contains("must be an object"));
    }

    [Fact]
    public void A_mapping_that_matches_no_file_or_names_text_files_is_refused_with_the_fix()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("train.bin"), UInt16Ids(Ids(1, 100)));
        File.WriteAllBytes(dir.File("val.bin"), UInt16Ids(Ids(2, 100)));
        var corpus = new CorpusSpec([dir.File("*.bin")]) { Splits = new Dictionary<string, string> { ["valid.bin"] = "validation" } };
        var e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(corpus, new TokenizerSpec("gpt2")), dir.File("cache")));
        Assert.Contains(e.Problems, p => p.Contains("data.corpus.splits.valid.bin") && p.Contains("matches none") && p.Contains("train.bin, val.bin"));

        File.WriteAllText(dir.File("doc.jsonl"), "{\"text\":\"hello\"}\n");
        var text = new CorpusSpec([dir.File("doc.jsonl")]) { Splits = new Dictionary<string, string> { ["doc.jsonl"] = "train" } };
        e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(text, new TokenizerSpec("gpt2")), dir.File("cache")));
        Assert.Contains(e.Problems, p => p.Contains("applies to pre-tokenized .bin files only"));
    }
}
