using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

/// <summary>
/// Teacher top-k log-probabilities for the training stream, on disk (memory-mapped) and shared by every student of a
/// sweep.  Training windows are aligned to the context length, so window c always has the same context and its
/// teacher distribution is computed once, the first time any student reads it, then reused.
/// <para>Layout: a 64-byte header, one "filled" byte per window, then per window T×k entries of (uint16 token id,
/// float16 log-prob), i.e. 4·k bytes per token.</para>
/// <para>Reconstruction (documented in README "Teacher-logit cache"): the k stored log-probs are exact; the residual
/// mass r = 1 − Σ_topk p_i is spread uniformly over the other V−k tokens, so the reconstructed distribution sums to 1;
/// temperature is applied afterwards, q ∝ p^(1/τ), renormalised over all V.  With k ≪ V this slightly flattens the
/// tail, the usual trade-off of sparse logit caches (e.g. Raman et al. 2023, "For distillation, tokens are not all you need").</para>
/// </summary>
public sealed class TeacherLogitCache : IDisposable
{
    const int HeaderBytes = 64;
    const int EntryBytes = 4;
    readonly Gpt teacher;
    readonly MemoryMappedFile file;
    readonly MemoryMappedViewAccessor view;
    readonly int contextLength;
    readonly long windows;

    public TeacherLogitCache(string path, Gpt teacher, long streamTokens, int topK)
    {
        if (teacher.Config.VocabSize > ushort.MaxValue + 1)
            throw new UserInputException($"teacher-logit cache stores token ids as uint16; vocab {teacher.Config.VocabSize} is too large — use online KD (kd.cache: false).");
        if (topK <= 0 || topK > teacher.Config.VocabSize)
            throw new UserInputException($"kd.top_k: value {topK} must be in [1, vocab size {teacher.Config.VocabSize}].");
        this.teacher = teacher;
        teacher.eval();
        contextLength = teacher.Config.ContextLength;
        TopK = topK;
        windows = (streamTokens - 1) / contextLength;
        Path = path;
        long capacity = HeaderBytes + windows + windows * contextLength * topK * EntryBytes;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        bool existing = File.Exists(path) && new FileInfo(path).Length == capacity;
        // A file of another size belongs to another stream/teacher/k: start over (the key in the file name makes this rare).
        if (File.Exists(path) && !existing) File.Delete(path);
        file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, capacity, MemoryMappedFileAccess.ReadWrite);
        view = file.CreateViewAccessor();
        if (!existing)
        {
            view.Write(0, 0x4B444348_41434845L); // magic
            view.Write(8, topK);
            view.Write(12, contextLength);
            view.Write(16, windows);
        }
        for (long w = 0; w < windows; w++)
            if (view.ReadByte(HeaderBytes + w) != 0) FilledWindows++;
    }

    public string Path { get; }
    public int TopK { get; }
    public long FilledWindows { get; private set; }
    public long Windows => windows;
    /// <summary>Bytes on disk per cached token.</summary>
    public int BytesPerToken => TopK * EntryBytes;
    /// <summary>Teacher FLOPs spent filling the cache in this process.</summary>
    public double BuildFlops { get; private set; }

    /// <summary>Ensures the batch's windows are cached, then returns top-k (ids (B,T,k) int64, log-probs (B,T,k) float32).</summary>
    public (Tensor Ids, Tensor LogProbs) Lookup(TrainingBatch batch, Device device)
    {
        var windowIndex = batch.Starts.Select(s => s / contextLength).ToArray();
        if (batch.Starts.Any(s => s % contextLength != 0))
            throw new InvalidOperationException("the teacher-logit cache needs context-aligned training windows");
        var missing = Enumerable.Range(0, windowIndex.Length).Where(b => view.ReadByte(HeaderBytes + windowIndex[b]) == 0)
                                .DistinctBy(b => windowIndex[b]).ToArray();
        if (missing.Length > 0) Fill(batch.X, missing, windowIndex);

        int b = windowIndex.Length, t = contextLength, k = TopK;
        var ids = new long[b * t * k];
        var logProbs = new float[b * t * k];
        var entries = new ushort[t * k * 2];
        for (int row = 0; row < b; row++)
        {
            view.ReadArray(EntryOffset(windowIndex[row]), entries, 0, entries.Length);
            for (int i = 0; i < t * k; i++)
            {
                ids[row * t * k + i] = entries[2 * i];
                logProbs[row * t * k + i] = (float)BitConverter.UInt16BitsToHalf(entries[2 * i + 1]);
            }
        }
        return (tensor(ids, [b, t, k]).to(device), tensor(logProbs, [b, t, k]).to(device));
    }

    void Fill(Tensor x, int[] rows, long[] windowIndex)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = x.index_select(0, tensor(rows.Select(r => (long)r).ToArray()).to(x.device));  // (M, T)
        var logp = F.log_softmax(teacher.call(input).to_type(ScalarType.Float32), -1);           // (M, T, V)
        var (values, indices) = logp.topk(TopK, dim: -1);                                         // (M, T, k)
        var v = values.cpu().data<float>().ToArray();
        var ix = indices.cpu().data<long>().ToArray();
        int perWindow = contextLength * TopK;
        var entries = new ushort[perWindow * 2];
        for (int m = 0; m < rows.Length; m++)
        {
            for (int i = 0; i < perWindow; i++)
            {
                entries[2 * i] = (ushort)ix[m * perWindow + i];
                entries[2 * i + 1] = BitConverter.HalfToUInt16Bits((Half)v[m * perWindow + i]);
            }
            long w = windowIndex[rows[m]];
            view.WriteArray(EntryOffset(w), entries, 0, entries.Length);
            view.Write(HeaderBytes + w, (byte)1);
            FilledWindows++;
        }
        BuildFlops += rows.Length * (double)contextLength * ModelMath.ForwardFlopsPerToken(teacher.Config);
    }

    long EntryOffset(long window) => HeaderBytes + windows + window * contextLength * TopK * EntryBytes;

    public void Flush() => view.Flush();

    public void Dispose()
    {
        view.Flush();
        view.Dispose();
        file.Dispose();
    }
}

/// <summary>Teacher distribution served from the top-k cache (see <see cref="TopKDistribution.FromTopK"/> for the renormalisation).</summary>
public sealed class CachedTeacher : ITopKTeacherSignal
{
    readonly TeacherLogitCache cache;
    readonly int vocabSize;

    public CachedTeacher(TeacherLogitCache cache, int vocabSize)
    {
        this.cache = cache;
        this.vocabSize = vocabSize;
    }

    /// <summary>
    /// 0: the cache's cost is charged per unit by the sweep as the teacher forward FLOPs of the distinct windows the
    /// unit read (see SweepRunner), not per step.
    /// </summary>
    public double OnlineFlopsPerToken => 0;

    public TopKDistribution TopK(TrainingBatch batch, double temperature)
    {
        using var _ = no_grad();
        var (ids, topLogProbs) = cache.Lookup(batch, batch.X.device);                                  // (B, T, k)
        return TopKDistribution.FromTopK(ids, topLogProbs, vocabSize, temperature);
    }

    public Tensor LogProbs(TrainingBatch batch, double temperature) => TopK(batch, temperature).Dense();

    /// <summary>Dense log-probs (B, T, V) at temperature τ from top-k ids and log-probs.</summary>
    public static Tensor Reconstruct(Tensor ids, Tensor topLogProbs, int vocabSize, double temperature) =>
        TopKDistribution.FromTopK(ids, topLogProbs, vocabSize, temperature).Dense();
}
