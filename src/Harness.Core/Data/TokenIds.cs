using System.Collections;
using System.Runtime.CompilerServices;

namespace Harness.Data;

/// <summary>
/// The token ids of one stream, read by position: an array in memory (the embedded corpus, mixes, the seq-KD corpus)
/// or a token store's shards through a memory map (<see cref="MappedTokenIds"/>), so a stream of any length is read
/// without loading it.  Readers copy the windows they need with <see cref="CopyTo"/>.
/// </summary>
[CollectionBuilder(typeof(TokenIds), nameof(Create))]
public abstract class TokenIds : IEnumerable<int>
{
    public abstract long Length { get; }

    /// <summary>The id at <paramref name="index"/>; for a window use <see cref="CopyTo"/>.</summary>
    public abstract int this[long index] { get; }

    /// <summary>Copies ids [start, start + target.Length) into <paramref name="target"/>.</summary>
    public abstract void CopyTo(long start, Span<int> target);

    /// <summary>The ids of <paramref name="range"/>, copied (ranges from the end need a stream below 2³¹ ids).</summary>
    public int[] this[Range range]
    {
        get
        {
            var (offset, length) = range.GetOffsetAndLength((int)Math.Min(Length, int.MaxValue));
            var ids = new int[length];
            CopyTo(offset, ids);
            return ids;
        }
    }

    /// <summary>Ids in memory, copied (what a collection expression such as <c>[]</c> builds).</summary>
    public static TokenIds Create(ReadOnlySpan<int> ids) => new ArrayTokenIds(ids.ToArray());

    /// <summary>Wraps an array without copying it.</summary>
    public static implicit operator TokenIds(int[] ids) => new ArrayTokenIds(ids);

    protected void CheckRange(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"ids [{start}, {start + count}) are outside the stream of {Length} ids.");
    }

    public IEnumerator<int> GetEnumerator()
    {
        const int chunk = 1 << 16;
        var buffer = new int[chunk];
        for (long start = 0; start < Length; start += chunk)
        {
            int n = (int)Math.Min(chunk, Length - start);
            CopyTo(start, buffer.AsSpan(0, n));
            for (int i = 0; i < n; i++) yield return buffer[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Token ids held in an array.</summary>
public sealed class ArrayTokenIds(int[] ids) : TokenIds
{
    public override long Length => ids.Length;

    public override int this[long index] => ids[index];

    public override void CopyTo(long start, Span<int> target)
    {
        CheckRange(start, target.Length);
        ids.AsSpan((int)start, target.Length).CopyTo(target);
    }
}

public static class RandomExtensions
{
    /// <summary>A uniform integer in [0, n): <see cref="Random.Next(int)"/> where n fits an int, so streams below 2³¹
    /// ids draw exactly what they always drew; <see cref="Random.NextInt64(long)"/> beyond.</summary>
    public static long NextBelow(this Random rng, long n) => n <= int.MaxValue ? rng.Next((int)n) : rng.NextInt64(n);
}
