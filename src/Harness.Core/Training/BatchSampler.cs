using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// Random fixed-length windows from a token stream.  Stateless: micro-batch k of a run with seed s is a pure function
/// of (s, k), so a resumed run sees exactly the batches the uninterrupted run would have seen.  The stream is read
/// window by window (<see cref="TokenIds.CopyTo"/>), so a memory-mapped token store of any size is never loaded, and
/// it gives the same batches as the same ids held in memory.
/// </summary>
public sealed class BatchSampler
{
    readonly TokenIds tokens;
    readonly int batchSize;
    readonly int contextLength;
    readonly int seed;
    readonly bool alignToContext;

    /// <param name="alignToContext">Draw only windows starting at multiples of T, so each window has a fixed context
    /// (needed by the teacher-logit cache; the sweep uses it for every method so baselines see the same windows).</param>
    public BatchSampler(TokenIds tokens, int batchSize, int contextLength, int seed, bool alignToContext = false)
    {
        this.alignToContext = alignToContext;
        if (tokens.Length < contextLength + 2)
            throw new UserInputException($"training stream has {tokens.Length} tokens, fewer than context_length + 2 = {contextLength + 2}.");
        this.tokens = tokens;
        this.batchSize = batchSize;
        this.contextLength = contextLength;
        this.seed = seed;
    }

    public int BatchSize => batchSize;

    /// <summary>Window start offsets of micro-batch <paramref name="index"/> (each window reads T+1 tokens).</summary>
    public long[] Starts(long index)
    {
        var rng = new Random(unchecked((int)Mix((ulong)seed, (ulong)index)));
        var starts = new long[batchSize];
        long range = tokens.Length - contextLength - 1;
        long windows = (tokens.Length - 1) / contextLength;
        for (int i = 0; i < batchSize; i++)
            starts[i] = alignToContext ? rng.NextBelow(windows) * contextLength : rng.NextBelow(range);
        return starts;
    }

    /// <summary>Inputs x (B, T) and next-token targets y (B, T) on <paramref name="device"/>.</summary>
    public (Tensor X, Tensor Y) Batch(long[] starts, Device device)
    {
        var x = new long[starts.Length * contextLength];
        var y = new long[starts.Length * contextLength];
        var window = new int[contextLength + 1];
        for (int b = 0; b < starts.Length; b++)
        {
            tokens.CopyTo(starts[b], window);
            int o = b * contextLength;
            for (int t = 0; t < contextLength; t++)
            {
                x[o + t] = window[t];
                y[o + t] = window[t + 1];
            }
        }
        return (tensor(x, [starts.Length, contextLength]).to(device), tensor(y, [starts.Length, contextLength]).to(device));
    }

    /// <summary>SplitMix64 finaliser: decorrelates consecutive (seed, index) pairs.</summary>
    internal static ulong Mix(ulong a, ulong b)
    {
        ulong z = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
