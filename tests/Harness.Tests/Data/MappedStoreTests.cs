using System.Buffers.Binary;
using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Tests.Data;

/// <summary>Training reads a token store through its memory map: same ids, same batches, same held-out loss as the
/// in-memory path, and streams beyond 2³¹ ids.</summary>
public class MappedStoreTests
{
    static readonly TokenizerSpec SmallBpe = new("bpe", 300);

    [Fact]
    public void Mapped_store_gives_the_same_batches_and_held_out_loss_as_the_in_memory_path()
    {
        using var dir = new TempDirectory();
        var docs = SmallCorpus.Documents(3);
        var a = CorpusFixtures.Jsonl(dir.Path, "a.jsonl", docs.Take(4).Select(d => (object)new { id = d.Id, text = d.Text }));
        var b = CorpusFixtures.Jsonl(dir.Path, "b.jsonl", docs.Skip(4).Select(d => (object)new { id = d.Id, text = d.Text }));
        var spec = new DataSpec(new CorpusSpec([a, b]), SmallBpe, new SplitSpec(0.2, 0.2, Seed: 5));
        using var memory = DataPipeline.Prepare(docs.Select(d => d with { Source = "", Title = "" }).ToList(), "memory", spec, Path.Combine(dir.Path, "memory"));
        using var store = DataPipeline.Prepare(spec, Path.Combine(dir.Path, "cache"));
        Assert.IsType<ArrayTokenIds>(memory.Train.Tokens);
        Assert.IsType<MappedTokenIds>(store.Train.Tokens);
        Assert.IsType<MappedTokenIds>(store.Validation.Tokens);

        foreach (var seed in new[] { 1, 2, 17 })
        foreach (var aligned in new[] { true, false })
        {
            var fromMemory = new BatchSampler(memory.Train.Tokens, 4, 32, seed, aligned);
            var fromStore = new BatchSampler(store.Train.Tokens, 4, 32, seed, aligned);
            for (long step = 0; step < 12; step++)
            {
                var starts = fromMemory.Starts(step);
                Assert.Equal(starts, fromStore.Starts(step));
                using var scope = NewDisposeScope();
                var (xm, ym) = fromMemory.Batch(starts, CPU);
                var (xs, ys) = fromStore.Batch(starts, CPU);
                Assert.Equal(xm.data<long>().ToArray(), xs.data<long>().ToArray());
                Assert.Equal(ym.data<long>().ToArray(), ys.data<long>().ToArray());
            }
        }

        var lengths = TokenByteLengths.For(memory.TokenizerPath, memory.Tokenizer, memory.VocabSize);
        torch.manual_seed(3);
        using var model = new Gpt(TestSupport.TinyModel(vocab: memory.VocabSize) with { ContextLength = 32 });
        var fromMemoryLoss = new LossEvaluator(memory.Validation.Tokens, lengths, 32, 32 * 6, batchSize: 4).Evaluate(model);
        var fromStoreLoss = new LossEvaluator(store.Validation.Tokens, lengths, 32, 32 * 6, batchSize: 4).Evaluate(model);
        Assert.Equal(fromMemoryLoss, fromStoreLoss);
    }

    [Fact]
    public void Mapped_ids_run_across_shards_of_either_width_and_skip_empty_ones()
    {
        using var dir = new TempDirectory();
        foreach (var width in new[] { 2, 4 })
        {
            var pieces = new[] { new[] { 5, 6, 7 }, Array.Empty<int>(), new[] { 8 }, new[] { 9, 10, 11, 12, 40000 } };
            var paths = pieces.Select((p, i) => WriteShard(Path.Combine(dir.Path, $"s{i}.u{width * 8}"), p, width)).ToList();
            using var ids = new MappedTokenIds(paths, width);
            var all = pieces.SelectMany(p => p).ToArray();
            Assert.Equal(all.Length, ids.Length);
            Assert.Equal(all, ids.ToArray());
            for (int i = 0; i < all.Length; i++) Assert.Equal(all[i], ids[i]);
            var window = new int[5];
            ids.CopyTo(1, window);                 // crosses the empty shard and two boundaries
            Assert.Equal(all[1..6], window);
            Assert.Throws<ArgumentOutOfRangeException>(() => ids.CopyTo(all.Length - 2, window));
            Assert.Throws<ArgumentOutOfRangeException>(() => ids[all.Length]);
        }
        var odd = Path.Combine(dir.Path, "odd.u16");
        File.WriteAllBytes(odd, [1, 2, 3]);
        Assert.Contains("not a whole number", Assert.Throws<InvalidDataException>(() => new MappedTokenIds([odd], 2)).Message);
    }

    [Fact]
    public void A_stream_beyond_two_to_the_31_ids_is_sampled_without_loading_it()
    {
        using var dir = new TempDirectory();
        // A sparse 12.9 GB shard: 3·2³¹ uint16 ids, zero except a marked window at the end.  Nothing reads it whole:
        // the sampler draws 64-bit starts and copies only its windows.
        long count = 3L << 31;
        var path = Path.Combine(dir.Path, "big.u16");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            file.SetLength(count * 2);
            file.Position = (count - 100) * 2;
            var marks = new byte[200];
            for (int i = 0; i < 100; i++) BinaryPrimitives.WriteUInt16LittleEndian(marks.AsSpan(i * 2), (ushort)(i + 1));
            file.Write(marks);
        }
        using var ids = new MappedTokenIds([path], 2);
        Assert.Equal(count, ids.Length);
        Assert.Equal(100, ids[count - 1]);
        foreach (var aligned in new[] { true, false })
        {
            var draws = new BatchSampler(ids, 64, 16, seed: 3, aligned);
            var starts = Enumerable.Range(0, 8).SelectMany(i => draws.Starts(i)).ToArray();
            Assert.Contains(starts, s => s > int.MaxValue);             // draws reach beyond 2³¹
            Assert.All(starts, s => Assert.True((!aligned || s % 16 == 0) && s + 17 <= count));
        }
        var sampler = new BatchSampler(ids, 64, 16, seed: 3, alignToContext: true);
        var tail = new int[100];
        ids.CopyTo(count - 100, tail);
        Assert.Equal(Enumerable.Range(1, 100), tail);
        using var scope = NewDisposeScope();
        var (x, y) = sampler.Batch([count - 17], CPU);
        Assert.Equal(Enumerable.Range(84, 16).Select(i => (long)i), x.data<long>().ToArray());
        Assert.Equal(Enumerable.Range(85, 16).Select(i => (long)i), y.data<long>().ToArray());
    }

    static string WriteShard(string path, int[] ids, int width)
    {
        var bytes = new byte[ids.Length * width];
        for (int i = 0; i < ids.Length; i++)
            if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)ids[i]);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), (uint)ids[i]);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
