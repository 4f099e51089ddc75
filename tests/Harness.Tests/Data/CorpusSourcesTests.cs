using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Parquet;
using Parquet.Schema;

namespace Harness.Tests.Data;

/// <summary>Writes corpus files in every supported format for the source and token store tests.</summary>
internal static class CorpusFixtures
{
    public static string Jsonl(string directory, string name, IEnumerable<object> lines)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, lines.Select(l => JsonSerializer.Serialize(l)));
        return path;
    }

    /// <summary>A Parquet file with string columns, one row group per <paramref name="rowGroups"/> entry (Parquet.Net).</summary>
    public static string Parquet(string directory, string name, IReadOnlyDictionary<string, string?[][]> columns)
    {
        var path = Path.Combine(directory, name);
        var fields = columns.Keys.Select(k => new DataField<string>(k)).ToArray();
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
        int groups = columns.Values.First().Length;
        for (int g = 0; g < groups; g++)
        {
            using var group = writer.CreateRowGroup();
            foreach (var field in fields)
                group.WriteAsync(field, columns[field.Name][g]).GetAwaiter().GetResult();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return path;
    }
}

public class CorpusSourcesTests
{
    static readonly TokenizerSpec SmallBpe = new("bpe", 300);

    static IReadOnlyList<Document> Read(CorpusSpec spec) => CorpusSources.ReadAll(spec);

    [Fact]
    public void A_jsonl_line_with_only_text_is_a_document_and_fields_are_configurable()
    {
        using var dir = new TempDirectory();
        var plain = CorpusFixtures.Jsonl(dir.Path, "plain.jsonl", [new { text = "one\r\ntwo" }, new { text = "three" }]);
        var docs = Read(plain);
        Assert.Equal(["plain.jsonl:1", "plain.jsonl:2"], docs.Select(d => d.Id));
        Assert.Equal("one\ntwo", docs[0].Text); // line endings as the embedded corpus has them

        var custom = CorpusFixtures.Jsonl(dir.Path, "custom.jsonl", [new { body = "alpha", key = "a" }, new { body = "beta", key = "b" }]);
        docs = Read(new CorpusSpec([custom]) { TextField = "body", IdField = "key" });
        Assert.Equal(["a", "b"], docs.Select(d => d.Id));
        Assert.Equal(["alpha", "beta"], docs.Select(d => d.Text));

        // The old four-field lines still read, ids and all.
        var old = CorpusFixtures.Jsonl(dir.Path, "old.jsonl", [new { id = "x1", source = "s", title = "t", text = "old" }]);
        Assert.Equal(new Document("x1", "s", "t", "old"), Read(old).Single());
    }

    [Fact]
    public void Wrong_text_field_names_every_bad_line_the_keys_and_the_fix()
    {
        using var dir = new TempDirectory();
        var path = CorpusFixtures.Jsonl(dir.Path, "c.jsonl", [new { content = "a" }, new { content = "b" }]);
        File.AppendAllText(path, "{not json\n");
        var e = Assert.Throws<UserInputException>(() => Read(path));
        Assert.Equal(3, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("line 1") && p.Contains("\"text\"") && p.Contains("content") && p.Contains("data.corpus.text_field"));
        Assert.Contains(e.Problems, p => p.Contains("line 3") && p.Contains("not valid JSON"));
    }

    [Fact]
    public void Globs_expand_in_ordinal_order_and_lists_keep_their_order()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "b.jsonl", "a.jsonl", "B.jsonl", "c.txt" })
            CorpusFixtures.Jsonl(dir.Path, name, [new { text = name }]);
        var problems = new List<string>();
        var files = new CorpusSpec([Path.Combine(dir.Path, "*.jsonl")]).ExpandFiles(problems);
        Assert.Empty(problems);
        Assert.Equal(["B.jsonl", "a.jsonl", "b.jsonl"], files.Select(Path.GetFileName)); // ordinal: upper case first
        files = new CorpusSpec([Path.Combine(dir.Path, "c.txt"), Path.Combine(dir.Path, "a.jsonl")]).ExpandFiles(problems);
        Assert.Equal(["c.txt", "a.jsonl"], files.Select(Path.GetFileName));

        new CorpusSpec([Path.Combine(dir.Path, "*.parquet"), Path.Combine(dir.Path, "missing.jsonl"), Path.Combine(dir.Path, "x.csv")]).ExpandFiles(problems);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("no file matches"));
        Assert.Contains(problems, p => p.Contains("file not found"));
    }

    [Fact]
    public void Txt_files_are_one_document_each_or_split_by_the_separator()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "1.txt"), "first file\nsecond line");
        File.WriteAllText(Path.Combine(dir.Path, "2.txt"), "doc a\n\n\ndoc b\n\n\n\n\n\n");
        var whole = Read(dir.Path); // a folder means every supported file in it
        Assert.Equal(["1.txt", "2.txt"], whole.Select(d => d.Id));
        var pieces = Read(new CorpusSpec([dir.Path]) { TxtSeparator = "\n\n\n" });
        Assert.Equal(["first file\nsecond line", "doc a", "doc b"], pieces.Select(d => d.Text)); // empty pieces are no documents
    }

    [Fact]
    public void Parquet_is_read_row_group_by_row_group_and_bad_files_say_what_to_do()
    {
        using var dir = new TempDirectory();
        var path = CorpusFixtures.Parquet(dir.Path, "shard.parquet", new Dictionary<string, string?[][]>
        {
            ["text"] = [["alpha", "beta"], ["gamma", null, "delta"]],
            ["url"] = [["u1", "u2"], ["u3", "u4", "u5"]],
        });
        var docs = Read(path);
        Assert.Equal(["alpha", "beta", "gamma", "delta"], docs.Select(d => d.Text)); // a null text is no document
        Assert.Equal(["shard.parquet:1", "shard.parquet:2", "shard.parquet:3", "shard.parquet:5"], docs.Select(d => d.Id));
        Assert.Equal(["u1", "u2", "u3", "u5"], Read(new CorpusSpec([path]) { IdField = "url" }).Select(d => d.Id));

        var wrong = Assert.Throws<UserInputException>(() => Read(new CorpusSpec([path]) { TextField = "body" }));
        Assert.Contains("column \"body\" is missing", wrong.Problems[0]);
        Assert.Contains("columns: text (string), url (string)", wrong.Problems[0]);

        var corrupt = Path.Combine(dir.Path, "corrupt.parquet");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(path)[..40]);
        var e = Assert.Throws<UserInputException>(() => Read(corrupt));
        Assert.Contains("corrupt.parquet", e.Problems[0]);
        Assert.Contains("download it again", e.Problems[0]);
    }

    [Fact]
    public void Config_accepts_string_list_and_object_and_writes_the_plain_form_back()
    {
        static DataSpec Parse(string corpus) => JsonConfigReader.Read<DataSpec>("{\"corpus\":" + corpus + "}", "t.json");
        Assert.True(Parse("\"embedded\"").CorpusOrDefault.IsEmbedded);
        Assert.True(JsonConfigReader.Read<DataSpec>("{}", "t.json").CorpusOrDefault.IsEmbedded);
        var list = Parse("[\"a.jsonl\",\"b/*.parquet\"]").CorpusOrDefault;
        Assert.Equal(["a.jsonl", "b/*.parquet"], list.Paths);
        var obj = Parse("""{"paths":"d/*.jsonl","text_field":"content","id_field":"uid"}""").CorpusOrDefault;
        Assert.Equal(("content", "uid"), (obj.TextField, obj.IdField));

        Assert.Equal("\"embedded\"", JsonSerializer.Serialize(new DataSpec().Corpus, HarnessJsonOptions));
        Assert.Equal("[\"a.jsonl\",\"b/*.parquet\"]", JsonSerializer.Serialize(list, HarnessJsonOptions).Replace("\n", "").Replace(" ", ""));
        Assert.Equal(obj, JsonSerializer.Deserialize<CorpusSpec>(JsonSerializer.Serialize(obj, HarnessJsonOptions), HarnessJsonOptions));

        var e = Assert.Throws<UserInputException>(() => Parse("""{"paths":"x.jsonl","text":"t","id_field":3}"""));
        Assert.Contains(e.Problems, p => p.Contains("$.corpus.text: unknown key") && p.Contains("text_field"));
        Assert.Contains(e.Problems, p => p.Contains("$.corpus.id_field") && p.Contains("must be a string"));
        Assert.Throws<UserInputException>(() => Parse("42"));
    }

    static JsonSerializerOptions HarnessJsonOptions => JsonConfigReader.Options;

    [Fact]
    public void Store_gives_the_same_tokens_as_the_in_memory_path()
    {
        using var dir = new TempDirectory();
        var docs = SmallCorpus.Documents(3);
        // Two files, so the split and the separators cross a file boundary.
        var a = CorpusFixtures.Jsonl(dir.Path, "a.jsonl", docs.Take(4).Select(d => (object)new { id = d.Id, text = d.Text }));
        var b = CorpusFixtures.Jsonl(dir.Path, "b.jsonl", docs.Skip(4).Select(d => (object)new { id = d.Id, text = d.Text }));
        var spec = new DataSpec(new CorpusSpec([a, b]), SmallBpe, new SplitSpec(0.2, 0.2, Seed: 5));
        var memory = DataPipeline.Prepare(docs.Select(d => d with { Source = "", Title = "" }).ToList(), "memory", spec, Path.Combine(dir.Path, "memory"));
        var store = DataPipeline.Prepare(spec, Path.Combine(dir.Path, "cache"));
        Assert.NotNull(store.StoreDirectory);
        Assert.Equal(memory.Train.Tokens, store.Train.Tokens);
        Assert.Equal(memory.Validation.Tokens, store.Validation.Tokens);
        Assert.Equal(memory.Test.Tokens, store.Test.Tokens);
        Assert.Equal((memory.Train.Utf8Bytes, memory.Validation.Utf8Bytes, memory.Test.Utf8Bytes), (store.Train.Utf8Bytes, store.Validation.Utf8Bytes, store.Test.Utf8Bytes));
        Assert.Equal(memory.TrainCharacters, store.TrainCharacters);
        Assert.Equal(memory.Split.Validation.Select(d => d.Text), store.Split.Validation.Select(d => d.Text));
        Assert.Equal(memory.TokenizerHash, store.TokenizerHash);
        // The same ids give the same batches: the sampler sees an identical array.
        var summary = DataInspection.OfStore(store.StoreDirectory!);
        Assert.Equal(store.Train.Count, summary.Splits[0].Tokens);
        Assert.Equal(memory.Tokenizer.Decode(memory.Train.Tokens.Take(DataInspection.SampleTokens)), summary.Sample);
    }

    [Fact]
    public void A_killed_preparation_resumes_at_the_first_unfinished_file()
    {
        using var dir = new TempDirectory();
        var docs = SmallCorpus.Documents(2);
        var files = Enumerable.Range(0, 3).Select(i => CorpusFixtures.Jsonl(dir.Path, $"part{i}.jsonl",
            docs.Skip(i * docs.Count / 3).Take(docs.Count / 3).Select(d => (object)new { text = d.Text[..Math.Min(3000, d.Text.Length)] }))).ToList();
        var spec = new DataSpec(new CorpusSpec([Path.Combine(dir.Path, "part*.jsonl")]), new TokenizerSpec("gpt2"));
        var cache = Path.Combine(dir.Path, "cache");
        var first = DataPipeline.Prepare(spec, cache);
        // Simulate a kill after the first file: no manifest, later files' shards gone.
        File.Delete(Path.Combine(first.StoreDirectory!, TokenStore.ManifestFile));
        foreach (var f in Directory.GetFiles(Path.Combine(first.StoreDirectory!, "shards")).Where(f => Path.GetFileName(f).StartsWith("00001") || Path.GetFileName(f).StartsWith("00002"))) File.Delete(f);
        var lines = new List<string>();
        var second = DataPipeline.Prepare(spec, cache, new Harness.IO.CallbackProgress<string>(lines.Add));
        Assert.Contains(lines, l => l.Contains("part0.jsonl already encoded"));
        Assert.DoesNotContain(lines, l => l.Contains("part1.jsonl already encoded"));
        Assert.Equal(first.Train.Tokens, second.Train.Tokens);
        Assert.Equal(first.Validation.Tokens, second.Validation.Tokens);
        // A complete store is found without encoding anything.
        lines.Clear();
        DataPipeline.Prepare(spec, cache, new Harness.IO.CallbackProgress<string>(lines.Add));
        Assert.Contains(lines, l => l.Contains("is complete"));
    }

    [Fact]
    public void Empty_files_and_duplicate_ids_are_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var good = CorpusFixtures.Jsonl(dir.Path, "good.jsonl", Enumerable.Range(0, 5).Select(i => (object)new { text = $"document {i}" }));
        var empty = Path.Combine(dir.Path, "empty.jsonl");
        File.WriteAllText(empty, "");
        var cache = Path.Combine(dir.Path, "cache");
        var e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(new CorpusSpec([good, empty]), new TokenizerSpec("gpt2")), cache));
        Assert.Contains(e.Problems, p => p.Contains("empty.jsonl") && p.Contains("holds no documents"));
        Assert.False(Directory.Exists(Path.Combine(cache, "store")));

        var dup = CorpusFixtures.Jsonl(dir.Path, "dup.jsonl", Enumerable.Range(0, 5).Select(i => (object)new { id = i % 2 == 0 ? "same" : $"d{i}", text = $"document {i}" }));
        e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(dup, new TokenizerSpec("gpt2")), cache));
        Assert.Contains(e.Problems, p => p.Contains("repeat an earlier document's id"));
    }
}

public class RepetitionTests
{
    static Harness.Config.ExperimentConfig Quickstart(Func<string, string>? edit = null)
    {
        var json = File.ReadAllText(Path.Combine(Cli.CliTests.RepositoryRoot(), "experiments", "quickstart.json"));
        return Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>((edit ?? (j => j))(json), "quickstart.json");
    }

    [Fact]
    public void The_quickstart_stays_under_one_epoch_and_a_large_budget_is_refused_with_the_count_and_the_fix()
    {
        using var dir = new TempDirectory();
        var config = Quickstart();
        var unique = UniqueTokens.WithoutPreparing(config.Data, dir.Path)!;
        Assert.False(unique.Exact); // the embedded corpus before preparation: a bound (UTF-8 bytes of the train split)
        var units = Harness.Sweep.SweepPlan.Expand(config, 1024, "data", "teacher");
        Assert.All(units, u => Assert.True(unique.Epochs(u.EndTokens) < 1, $"{u.Name}: {unique.Epochs(u.EndTokens)} epochs"));
        Assert.Empty(Harness.Sweep.SweepPreflight.RepetitionProblems(config, units, unique));

        var big = Quickstart(j => j.Replace("{ \"name\": \"600k\", \"tokens\": 614400 }", "{ \"name\": \"400M\", \"tokens\": 400000000 }"));
        var problems = Harness.Sweep.SweepPreflight.RepetitionProblems(big, Harness.Sweep.SweepPlan.Expand(big, 1024, "data", "teacher"), unique).ToList();
        var problem = Assert.Single(problems);
        Assert.Contains("$.budgets[3] (\"400M\")", problem);
        Assert.Contains($"at most {unique.Tokens:N0} unique training tokens", problem);
        Assert.Contains("data.max_epochs = 4", problem);
        Assert.Contains("Muennighoff et al. 2023", problem);
        Assert.Contains($"lower the budget to at most {unique.Tokens * 4:N0} tokens", problem);

        // Raising the limit knowingly lets it through; an exact count from the prepared data is used as given.
        var allowed = big with { Data = big.Data with { MaxEpochs = 1000 } };
        Assert.Empty(Harness.Sweep.SweepPreflight.RepetitionProblems(allowed, Harness.Sweep.SweepPlan.Expand(allowed, 1024, "data", "teacher"), unique));
        var exact = new UniqueTokenCount(50_000_000, true, "the train split");
        Assert.Single(Harness.Sweep.SweepPreflight.RepetitionProblems(big, Harness.Sweep.SweepPlan.Expand(big, 1024, "data", "teacher"), exact));
    }

    [Fact]
    public void Seq_kd_students_are_counted_over_the_synthetic_corpus()
    {
        var config = Quickstart(j => j.Replace("\"methods\": [\"scratch\", \"logit-kd\"]", "\"methods\": [\"scratch\", \"seq-kd\"], \"seq_kd\": { \"tokens\": 100000 }"));
        var units = Harness.Sweep.SweepPlan.Expand(config, 1024, "data", "teacher");
        var problems = Harness.Sweep.SweepPreflight.RepetitionProblems(config, units, new UniqueTokenCount(10_000_000, true, "the train split")).ToList();
        // 600k tokens over 100k synthetic tokens = 6 epochs; 300k = 3 epochs is fine; scratch on 10M tokens is fine.
        var problem = Assert.Single(problems);
        Assert.Contains("for seq-kd", problem);
        Assert.Contains("raise seq_kd.tokens", problem);
    }
}

public class PretokenizedSourceTests
{
    static byte[] UInt16Ids(IEnumerable<int> ids) => ids.SelectMany(i => BitConverter.GetBytes((ushort)i)).ToArray();

    static byte[] LlmC(int magic, int version, IReadOnlyList<int> ids, int width, int? count = null)
    {
        var header = new int[PretokenizedFiles.LlmCHeaderInts];
        (header[0], header[1], header[2]) = (magic, version, count ?? ids.Count);
        var bytes = header.SelectMany(BitConverter.GetBytes).ToList();
        bytes.AddRange(ids.SelectMany(i => width == 2 ? BitConverter.GetBytes((ushort)i) : BitConverter.GetBytes((uint)i)));
        return bytes.ToArray();
    }

    static int[] Gpt2Ids(int docs, int offset)
    {
        var gpt2 = TokenizerLoader.CreateGpt2();
        return SmallCorpus.Texts(4).Skip(offset).Take(docs).SelectMany(t => gpt2.EncodeToIds(t[..Math.Min(4000, t.Length)]).Append(50256)).ToArray();
    }

    [Fact]
    public void NanoGpt_and_llm_c_files_load_by_split_from_their_names()
    {
        using var dir = new TempDirectory();
        var train = Gpt2Ids(3, 0);
        var val = Gpt2Ids(2, 4);
        File.WriteAllBytes(Path.Combine(dir.Path, "train.bin"), UInt16Ids(train));
        File.WriteAllBytes(Path.Combine(dir.Path, "val.bin"), LlmC(PretokenizedFiles.LlmCMagicUInt16, 1, val, 2));
        var spec = new DataSpec(new CorpusSpec([Path.Combine(dir.Path, "*.bin")]), new TokenizerSpec("gpt2"));
        var data = DataPipeline.Prepare(spec, Path.Combine(dir.Path, "cache"));
        Assert.Equal(train, data.Train.Tokens);
        Assert.Equal(val, data.Validation.Tokens);
        Assert.Equal(val, data.Test.Tokens); // no test file: the validation file serves as test too
        var text = TokenizerLoader.CreateGpt2().Decode(val)!;
        Assert.InRange(data.Validation.Utf8Bytes, System.Text.Encoding.UTF8.GetByteCount(text) - 8, System.Text.Encoding.UTF8.GetByteCount(text));
        Assert.Equal(2, DataInspection.OfStore(data.StoreDirectory!).Splits[1].Documents); // <|endoftext|> per document
        Assert.NotEmpty(data.Split.Validation); // held-out text for last_word, decoded
    }

    [Fact]
    public void Bad_headers_odd_lengths_empty_shards_foreign_ids_and_mixed_tokenizers_are_refused_with_the_file_and_the_fix()
    {
        using var dir = new TempDirectory();
        string Write(string name, byte[] bytes) { var p = Path.Combine(dir.Path, name); File.WriteAllBytes(p, bytes); return p; }
        var ids = Gpt2Ids(1, 0);
        var cache = Path.Combine(dir.Path, "cache");
        UserInputException Refuse(params string[] files) =>
            Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(new CorpusSpec(files), new TokenizerSpec("gpt2")), cache));

        var good = Write("val_good.bin", UInt16Ids(ids));
        var e = Refuse(Write("train_version.bin", LlmC(PretokenizedFiles.LlmCMagicUInt16, 3, ids, 2)), good);
        Assert.Contains(e.Problems, p => p.Contains("train_version.bin") && p.Contains("version 3"));
        e = Refuse(Write("train_short.bin", LlmC(PretokenizedFiles.LlmCMagicUInt16, 1, ids, 2, count: ids.Length + 10)), good);
        Assert.Contains(e.Problems, p => p.Contains("train_short.bin") && p.Contains("truncated"));
        e = Refuse(Write("train_odd.bin", [1, 2, 3]), good);
        Assert.Contains(e.Problems, p => p.Contains("train_odd.bin") && p.Contains("odd length"));
        e = Refuse(Write("train_empty.bin", []), good);
        Assert.Contains(e.Problems, p => p.Contains("train_empty.bin") && p.Contains("empty"));
        e = Refuse(Write("train_llama.bin", LlmC(PretokenizedFiles.LlmCMagicUInt32, 7, [128000, 9906, 1917], 4)), good);
        Assert.Contains(e.Problems, p => p.Contains("different tokenizers"));
        e = Refuse(Write("train_foreign.bin", UInt16Ids([5, 60000, 7])), good);
        Assert.Contains(e.Problems, p => p.Contains("train_foreign.bin") && p.Contains("id 60000") && p.Contains("another tokenizer"));
        e = Refuse(Write("shard.bin", UInt16Ids(ids)), good);
        Assert.Contains(e.Problems, p => p.Contains("shard.bin") && p.Contains("neither train, val nor test"));
        e = Assert.Throws<UserInputException>(() => DataPipeline.Prepare(new DataSpec(new CorpusSpec([Write("train_ok.bin", UInt16Ids(ids)), good]), new TokenizerSpec("bpe", 300)), cache));
        Assert.Contains(e.Problems, p => p.Contains("data.tokenizer.kind") && p.Contains("gpt2"));
        // Nothing already prepared is lost: a good corpus in the same cache still prepares after every refusal.
        Assert.Equal(ids, DataPipeline.Prepare(new DataSpec(new CorpusSpec([Path.Combine(dir.Path, "train_ok.bin"), good]), new TokenizerSpec("gpt2")), cache).Train.Tokens);
    }
}

public class DataCommandTests
{
    [Fact]
    public void Data_inspect_prints_a_store_and_refuses_a_folder_that_is_not_one()
    {
        using var dir = new TempDirectory();
        var corpus = CorpusFixtures.Jsonl(dir.Path, "c.jsonl", Enumerable.Range(0, 6).Select(i => (object)new { text = $"document number {i}" }));
        var data = DataPipeline.Prepare(new DataSpec(corpus, new TokenizerSpec("gpt2")), Path.Combine(dir.Path, "cache"));
        Assert.Equal(0, Harness.Cli.HarnessApp.Run(["data", "inspect", data.StoreDirectory!]));
        Assert.Equal(Harness.Cli.HarnessApp.InvalidInput, Harness.Cli.HarnessApp.Run(["data", "inspect", dir.Path]));
        Assert.Equal(Harness.Cli.HarnessApp.InvalidInput, Harness.Cli.HarnessApp.Run(["data", "prepare", Path.Combine(dir.Path, "missing.json")]));
    }
}
