using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Benchmarks;

/// <summary>
/// The memory-mapped token store's benchmarks (README "Performance", "Training from the store"), run from the command
/// line rather than BenchmarkDotNet because peak RSS is read from outside (<c>/usr/bin/time -v</c>):
/// <list type="bullet">
/// <item><c>make-store DIR TOKENS [VOCAB]</c>: a store folder of uniformly random ids below VOCAB (default GPT-2's
/// 50,257; train TOKENS, validation and test 1M each), written as <see cref="TokenStore"/> writes one.</item>
/// <item><c>train-store DIR STEPS [--in-memory]</c>: trains the quickstart's "pico" student (batch 16, T 128) for
/// STEPS steps on the store's train split and evaluates validation loss; mapped, or with the split copied into an
/// array first (the path training took before).  Prints tokens/s and peak RSS (VmHWM).</item>
/// <item><c>store-throughput STEPS ROUNDS</c>: the quickstart's data (embedded corpus, trained BPE 1024) and its
/// "mini" student: training tokens/s with the train ids in memory vs the same ids written to a shard and read
/// through the map, alternated ROUNDS times (ABAB) so a shared machine's load falls on both.</item>
/// </list>
/// </summary>
static class StoreBenchmarks
{
    const int BatchSize = 16;

    public static int MakeStore(string directory, long tokens, int vocab)
    {
        var shards = Path.Combine(directory, "shards");
        Directory.CreateDirectory(shards);
        var clock = Stopwatch.StartNew();
        var counts = new[] { tokens, 1_000_000L, 1_000_000L };
        var splits = new Dictionary<string, StoreSplit>();
        for (int s = 0; s < 3; s++)
        {
            var name = TokenStore.ShardName(0, s, 2);
            WriteRandomIds(Path.Combine(directory, name), counts[s], vocab, seed: s);
            // Bytes per token set to GPT-2's typical 4 so bits per byte is defined; the ids are random, not text.
            splits[TokenStore.SplitNames[s]] = new StoreSplit([name], counts[s] / 1000, counts[s], counts[s] * 4, counts[s] * 4);
        }
        var identity = vocab == TokenizerSpec.Gpt2VocabSize
            ? new StoreTokenizer(TokenizerSpec.Gpt2, vocab, DataPipeline.Sha256Hex("tiktoken:gpt2"), null)
            : new StoreTokenizer(TokenizerSpec.Bpe, vocab, DataPipeline.Sha256Hex($"random ids below {vocab}"), null);
        var key = DataPipeline.Sha256Hex($"benchmark store {tokens} {vocab}");
        TokenStore.WriteManifest(directory, new TokenStoreManifest(TokenStore.Version, key, key, "generated random ids", "generated",
            identity, 2, [], splits, clock.Elapsed.TotalSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {tokens:N0} train tokens ({tokens * 2 / 1e9:F2} GB) to {directory} in {clock.Elapsed.TotalSeconds:F0} s"));
        return 0;
    }

    static void WriteRandomIds(string path, long count, int vocab, int seed)
    {
        var rng = new Random(seed);
        var buffer = new byte[1 << 22];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long done = 0; done < count;)
        {
            int n = (int)Math.Min(buffer.Length / 2, count - done);
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(i * 2), (ushort)rng.Next(vocab));
            file.Write(buffer, 0, n * 2);
            done += n;
        }
    }

    public static int TrainStore(string directory, int steps, bool inMemory)
    {
        var manifest = TokenStore.ReadManifest(directory);
        var train = TokenStore.Open(directory, manifest, "train");
        var validation = TokenStore.Open(directory, manifest, "validation");
        var clock = Stopwatch.StartNew();
        TokenIds trainIds = inMemory ? train.Tokens.ToArray() : train.Tokens; // the old path: the split in an array
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var model = GptConfig.Presets["pico"] with { VocabSize = manifest.Tokenizer.VocabSize };
        var sampler = new BatchSampler(trainIds, BatchSize, model.ContextLength, seed: 1, alignToContext: true);
        double tokensPerSecond = TrainSteps(model, sampler, steps);
        var lengths = Enumerable.Repeat(4, manifest.Tokenizer.VocabSize).ToArray();
        manual_seed(2);
        using var probe = new Gpt(model);
        var loss = new LossEvaluator(validation.Tokens, lengths, model.ContextLength, 16384).Evaluate(probe);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(inMemory ? "in-memory" : "mapped")}: store {manifest.Splits["train"].Tokens:N0} train tokens, load {loadSeconds:F1} s, {steps} steps at {tokensPerSecond:N0} tokens/s, validation loss {loss.NatsPerToken:F3}, peak RSS {PeakRssMb():F0} MiB"));
        return 0;
    }

    public static int Throughput(int steps, int rounds)
    {
        using var dir = new TempFolder();
        var data = DataPipeline.Prepare(new DataSpec(null, new TokenizerSpec(TokenizerSpec.Bpe, 1024)), Path.Combine(".cache", "data"));
        var ids = data.Train.Tokens.ToArray();
        var shard = Path.Combine(dir.Path, "train.u16");
        var bytes = new byte[ids.Length * 2];
        for (int i = 0; i < ids.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)ids[i]);
        File.WriteAllBytes(shard, bytes);
        using var mapped = new MappedTokenIds([shard], 2);
        var model = GptConfig.Presets["mini"] with { VocabSize = data.VocabSize };
        var arms = new (string Name, TokenIds Ids, List<double> Rates, List<double> BatchMs)[]
        {
            ("in-memory", ids, [], []), ("mapped", mapped, [], []),
        };
        for (int r = 0; r < rounds; r++)
            foreach (var arm in r % 2 == 0 ? arms : arms.Reverse())
            {
                var sampler = new BatchSampler(arm.Ids, BatchSize, model.ContextLength, seed: 1 + r, alignToContext: true);
                arm.Rates.Add(TrainSteps(model, sampler, steps));
                arm.BatchMs.Add(BatchMilliseconds(sampler, steps));
            }
        foreach (var arm in arms)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{arm.Name}: {string.Join(", ", arm.Rates.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))} tokens/s (median {Median(arm.Rates):N0}); building a batch {Median(arm.BatchMs):F3} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mapped / in-memory: {Median(arms[1].Rates) / Median(arms[0].Rates):F4} (per-round ratios {string.Join(", ", arms[0].Rates.Zip(arms[1].Rates, (a, b) => (b / a).ToString("F3", CultureInfo.InvariantCulture)))})"));
        return 0;
    }

    /// <summary>Tokens per second of <paramref name="steps"/> plain cross-entropy AdamW steps (two warm-up steps untimed).</summary>
    static double TrainSteps(GptConfig config, BatchSampler sampler, int steps)
    {
        manual_seed(1);
        using var model = new Gpt(config);
        using var optimizer = SafeAdamW.ForAll(model, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        var objective = new CrossEntropyObjective();
        var clock = new Stopwatch();
        for (int i = 0; i < steps + 2; i++)
        {
            if (i == 2) clock.Start();
            using var scope = NewDisposeScope();
            var starts = sampler.Starts(i);
            var (x, y) = sampler.Batch(starts, CPU);
            var loss = objective.Loss(model.call(x), new TrainingBatch(x, y, starts, i));
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
        return (double)steps * sampler.BatchSize * config.ContextLength / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Milliseconds to draw and build one batch (the part of a step that reads the stream).</summary>
    static double BatchMilliseconds(BatchSampler sampler, int batches)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            sampler.Batch(sampler.Starts(i), CPU);
        }
        return clock.Elapsed.TotalMilliseconds / batches;
    }

    static double Median(List<double> xs)
    {
        var sorted = xs.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Peak resident set (VmHWM from /proc/self/status) in MiB; -1 where /proc is absent.</summary>
    static double PeakRssMb()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return -1;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("harness-store-bench-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
