using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Harness.Modeling;
using Harness.Training;
using Harness.IO;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

/// <summary>
/// Teacher top-k log-probabilities for the training stream, on disk (memory-mapped) and shared by every student of a
/// sweep, and by every process running it.  Training windows are aligned to the context length, so window c always has
/// the same context and its teacher distribution is computed once, the first time any student reads it, then reused.
/// <para>Layout (v2): a 64-byte header (magic, layout version, k, T, vocab, windows), a 16-byte slot per window
/// (XxHash3 of its entries, a "filled" byte), then per window T×k entries of (uint16 token id, float16 log-prob), i.e.
/// 4·k bytes per token.</para>
/// <para>Safe for several writers: the file is created fully allocated under a temporary name and renamed into place
/// (so the memory map never meets a full disk: no SIGBUS), a file in use is never deleted (a bad one is replaced by
/// rename; mappings of the old one stay valid), the header is verified on open, and every window read is checked
/// against its checksum and the vocabulary, and refilled from the teacher when it fails.</para>
/// <para>Reconstruction (documented in README "Teacher-logit cache"): the k stored log-probs are exact; the residual
/// mass r = 1 − Σ_topk p_i is spread uniformly over the other V−k tokens, so the reconstructed distribution sums to 1;
/// temperature is applied afterwards, q ∝ p^(1/τ), renormalised over all V.  With k ≪ V this slightly flattens the
/// tail, the usual trade-off of sparse logit caches (e.g. Raman et al. 2023, "For distillation, tokens are not all you need").</para>
/// </summary>
public sealed class TeacherLogitCache : IDisposable
{
    /// <summary>Part of the cache key: bump when the file layout changes.</summary>
    public const int LayoutVersion = 2;
    const long Magic = 0x4B444348_41434845L;
    const int HeaderBytes = 64;
    const int SlotBytes = 16;
    const int EntryBytes = 4;
    readonly CausalLm teacher;
    readonly MemoryMappedFile file;
    readonly MemoryMappedViewAccessor view;
    readonly int contextLength;
    readonly int vocabSize;
    readonly long windows;

    /// <param name="vocabularySize">The tokenizer's size V (default: the teacher's output rows); teacher rows ≥ V are
    /// padding, dropped before the softmax (<see cref="TeacherVocabulary"/>).</param>
    public TeacherLogitCache(string path, CausalLm teacher, long streamTokens, int topK, int? vocabularySize = null)
    {
        int vocab = vocabularySize ?? teacher.OutputSize;
        if (vocab > ushort.MaxValue + 1)
            throw new UserInputException($"teacher-logit cache stores token ids as uint16; vocab {vocab} is too large — use online KD (kd.cache: false).");
        if (topK <= 0 || topK > vocab)
            throw new UserInputException($"kd.top_k: value {topK} must be in [1, vocab size {vocab}].");
        this.teacher = teacher;
        teacher.eval();
        contextLength = teacher.ContextLength;
        vocabSize = vocab;
        TopK = topK;
        windows = (streamTokens - 1) / contextLength;
        Path = path;
        long capacity = HeaderBytes + windows * SlotBytes + windows * contextLength * topK * EntryBytes;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        for (int attempt = 0; ; attempt++)
        {
            if (!HeaderMatches(path, capacity)) Create(path, capacity, replace: File.Exists(path));
            try
            {
                // FileShare.ReadWrite: several processes map the same file; no lock is taken.
                var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                file = MemoryMappedFile.CreateFromFile(stream, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
                break;
            }
            catch (FileNotFoundException) when (attempt < 3) { }   // replaced between check and open: check again
        }
        view = file.CreateViewAccessor();
        for (long w = 0; w < windows; w++)
            if (view.ReadByte(SlotOffset(w) + 8) != 0) FilledWindows++;
    }

    bool HeaderMatches(string path, long capacity)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length != capacity) return false;
            var header = new byte[HeaderBytes];
            stream.ReadExactly(header);
            return BitConverter.ToInt64(header, 0) == Magic && BitConverter.ToInt32(header, 8) == LayoutVersion && BitConverter.ToInt32(header, 12) == TopK
                   && BitConverter.ToInt32(header, 16) == contextLength && BitConverter.ToInt32(header, 20) == vocabSize && BitConverter.ToInt64(header, 24) == windows;
        }
        catch (IOException) { return false; }
    }

    /// <summary>Makes a fully allocated file with a valid header and no filled window, then renames it into place.</summary>
    void Create(string path, long capacity, bool replace)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        DiskSpace.Require(directory, capacity, $"the teacher-logit cache ({windows:N0} windows × {contextLength} tokens × top-{TopK})");
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{TempFiles.Tag}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
                   { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, PreallocationSize = capacity }))
            {
                stream.SetLength(capacity);
                var header = new byte[HeaderBytes];
                BitConverter.TryWriteBytes(header.AsSpan(0), Magic);
                BitConverter.TryWriteBytes(header.AsSpan(8), LayoutVersion);
                BitConverter.TryWriteBytes(header.AsSpan(12), TopK);
                BitConverter.TryWriteBytes(header.AsSpan(16), contextLength);
                BitConverter.TryWriteBytes(header.AsSpan(20), vocabSize);
                BitConverter.TryWriteBytes(header.AsSpan(24), windows);
                stream.Write(header);
                stream.Flush(flushToDisk: true);
            }
            if (replace) File.Move(temp, path, overwrite: true);   // a bad file: replaced, never deleted under a reader
            else
            {
                try { File.Move(temp, path, overwrite: false); }
                catch (IOException) when (File.Exists(path)) { }   // another process created it first: use theirs
            }
        }
        catch (IOException e) when (DiskSpace.IsDiskFull(e))
        {
            throw DiskSpace.Full(path, capacity);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public string Path { get; }
    public int TopK { get; }
    public long FilledWindows { get; private set; }
    public long Windows => windows;
    /// <summary>Bytes on disk per cached token.</summary>
    public int BytesPerToken => TopK * EntryBytes;
    /// <summary>Teacher FLOPs spent filling the cache in this process.</summary>
    public double BuildFlops { get; private set; }
    /// <summary>Windows whose stored entries failed their checksum or held out-of-range ids, and were refilled.</summary>
    public long RefilledWindows { get; private set; }

    /// <summary>Ensures the batch's windows are cached, then returns top-k (ids (B,T,k) int64, log-probs (B,T,k) float32).</summary>
    public (Tensor Ids, Tensor LogProbs) Lookup(TrainingBatch batch, Device device)
    {
        var windowIndex = batch.Starts.Select(s => s / contextLength).ToArray();
        if (batch.Starts.Any(s => s % contextLength != 0))
            throw new InvalidOperationException("the teacher-logit cache needs context-aligned training windows");
        int b = windowIndex.Length, t = contextLength, k = TopK;
        var rows = new ushort[b][];
        var missing = new List<int>();
        for (int row = 0; row < b; row++)
        {
            if (missing.Any(m => windowIndex[m] == windowIndex[row])) continue;
            var entries = TryRead(windowIndex[row]);
            if (entries is null) missing.Add(row); else rows[row] = entries;
        }
        if (missing.Count > 0)
        {
            var filled = Fill(batch.X, missing.ToArray(), windowIndex);
            for (int i = 0; i < missing.Count; i++) rows[missing[i]] = filled[i];
        }
        var ids = new long[b * t * k];
        var logProbs = new float[b * t * k];
        for (int row = 0; row < b; row++)
        {
            var entries = rows[row] ?? rows[Array.FindIndex(windowIndex, w => w == windowIndex[row])];
            for (int i = 0; i < t * k; i++)
            {
                ids[row * t * k + i] = entries[2 * i];
                logProbs[row * t * k + i] = (float)BitConverter.UInt16BitsToHalf(entries[2 * i + 1]);
            }
        }
        return (tensor(ids, [b, t, k]).to(device), tensor(logProbs, [b, t, k]).to(device));
    }

    /// <summary>A window's entries if it is filled and intact (checksum and id range); null when it must be (re)filled.</summary>
    ushort[]? TryRead(long window)
    {
        long slot = SlotOffset(window);
        if (view.ReadByte(slot + 8) == 0) return null;
        var entries = new ushort[contextLength * TopK * 2];
        view.ReadArray(EntryOffset(window), entries, 0, entries.Length);
        bool ok = view.ReadUInt64(slot) == Checksum(entries);
        for (int i = 0; ok && i < entries.Length; i += 2) ok = entries[i] < vocabSize;
        if (ok) return entries;
        RefilledWindows++;
        return null;
    }

    static ulong Checksum(ushort[] entries) => System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(entries.AsSpan()));

    ushort[][] Fill(Tensor x, int[] rows, long[] windowIndex)
    {
        FaultInjection.At(FaultInjection.Points.CacheFill);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = x.index_select(0, tensor(rows.Select(r => (long)r).ToArray()).to(x.device));  // (M, T)
        var logp = F.log_softmax(TeacherVocabulary.Logits(teacher.call(input), vocabSize).to_type(ScalarType.Float32), -1); // (M, T, V)
        var (values, indices) = logp.topk(TopK, dim: -1);                                         // (M, T, k)
        var v = values.cpu().data<float>().ToArray();
        var ix = indices.cpu().data<long>().ToArray();
        int perWindow = contextLength * TopK;
        var result = new ushort[rows.Length][];
        for (int m = 0; m < rows.Length; m++)
        {
            var entries = new ushort[perWindow * 2];
            for (int i = 0; i < perWindow; i++)
            {
                entries[2 * i] = (ushort)ix[m * perWindow + i];
                entries[2 * i + 1] = BitConverter.HalfToUInt16Bits((Half)v[m * perWindow + i]);
            }
            long w = windowIndex[rows[m]];
            long slot = SlotOffset(w);
            bool wasFilled = view.ReadByte(slot + 8) != 0;
            // Data, then checksum, then the flag: a reader (this or another process) that sees the flag checks the sum.
            view.WriteArray(EntryOffset(w), entries, 0, entries.Length);
            view.Write(slot, Checksum(entries));
            view.Write(slot + 8, (byte)1);
            if (!wasFilled) FilledWindows++;
            result[m] = entries;
        }
        BuildFlops += rows.Length * (double)contextLength * teacher.ForwardFlopsPerToken;
        return result;
    }

    long SlotOffset(long window) => HeaderBytes + window * SlotBytes;
    long EntryOffset(long window) => HeaderBytes + windows * SlotBytes + window * contextLength * TopK * EntryBytes;

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
