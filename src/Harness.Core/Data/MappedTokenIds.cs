using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Harness.Data;

/// <summary>
/// A split of a token store read in place: each shard (flat little-endian uint16 or uint32 ids, no header) is mapped
/// read-only and ids are copied out window by window, so memory holds the pages the reader touches (the OS page cache,
/// shared and reclaimable), not the split.  Positions run across the shards in the manifest's order, exactly as the
/// concatenated in-memory stream.  Reads are thread-safe (view accessors keep no position).
/// </summary>
public sealed class MappedTokenIds : TokenIds, IDisposable
{
    readonly int idBytes;
    readonly long[] starts;                 // first position of each mapped shard; starts[^1] = Length
    readonly MemoryMappedFile[] maps;
    readonly MemoryMappedViewAccessor[] views;

    /// <param name="shards">Shard files in stream order; empty files are skipped (a file cannot map zero bytes).</param>
    public MappedTokenIds(IReadOnlyList<string> shards, int idBytes)
    {
        if (idBytes is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(idBytes), idBytes, "ids are 2 or 4 bytes");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("token store shards are little-endian; this machine is not.");
        this.idBytes = idBytes;
        var lengths = shards.Select(s => new FileInfo(s).Length).ToArray();
        var used = Enumerable.Range(0, shards.Count).Where(i => lengths[i] > 0).ToArray();
        starts = new long[used.Length + 1];
        maps = new MemoryMappedFile[used.Length];
        views = new MemoryMappedViewAccessor[used.Length];
        try
        {
            for (int k = 0; k < used.Length; k++)
            {
                long bytes = lengths[used[k]];
                if (bytes % idBytes != 0)
                    throw new InvalidDataException($"{shards[used[k]]}: {bytes} bytes is not a whole number of {idBytes}-byte ids.");
                maps[k] = MemoryMappedFile.CreateFromFile(shards[used[k]], FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                views[k] = maps[k].CreateViewAccessor(0, bytes, MemoryMappedFileAccess.Read);
                starts[k + 1] = starts[k] + bytes / idBytes;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override long Length => starts[^1];

    public override int this[long index]
    {
        get
        {
            if ((ulong)index >= (ulong)Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"the stream has {Length} ids");
            int k = Shard(index);
            long at = (index - starts[k]) * idBytes;
            return idBytes == 2 ? views[k].ReadUInt16(at) : (int)views[k].ReadUInt32(at);
        }
    }

    public override void CopyTo(long start, Span<int> target)
    {
        CheckRange(start, target.Length);
        int done = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(target.Length, 1 << 16) * idBytes);
        try
        {
            for (int k = target.Length == 0 ? 0 : Shard(start); done < target.Length; k++)
            {
                long from = start + done - starts[k];
                int n = (int)Math.Min(target.Length - done, starts[k + 1] - starts[k] - from);
                for (int c = 0; c < n;)
                {
                    int m = Math.Min(n - c, buffer.Length / idBytes);
                    views[k].ReadArray((from + c) * idBytes, buffer, 0, m * idBytes);
                    var piece = target.Slice(done + c, m);
                    if (idBytes == 2)
                    {
                        var ids = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(buffer.AsSpan(0, m * 2));
                        for (int j = 0; j < m; j++) piece[j] = ids[j];
                    }
                    else System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, m * 4)).CopyTo(piece);
                    c += m;
                }
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The mapped shard holding position <paramref name="index"/> (binary search over the shard starts).</summary>
    int Shard(long index)
    {
        int k = Array.BinarySearch(starts, index);
        return k >= 0 ? k : ~k - 1;
    }

    public void Dispose()
    {
        foreach (var v in views) v?.Dispose();
        foreach (var m in maps) m?.Dispose();
    }
}
