namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// CPython's <c>random.Random</c> as far as lm-evaluation-harness's few-shot sampler uses it, so the harness draws the
/// same few-shot documents as lm-eval: the Mersenne Twister MT19937 (Matsumoto &amp; Nishimura 1998, "Mersenne Twister:
/// A 623-dimensionally equidistributed uniform pseudo-random number generator"; CPython's <c>Modules/_randommodule.c</c>
/// with its <c>init_by_array</c> seeding), <c>getrandbits</c>, <c>_randbelow_with_getrandbits</c> and <c>sample</c>
/// (<c>Lib/random.py</c>, CPython 3.11).  Seeding an int seeds with the 32-bit words of its absolute value, low word
/// first, as <c>random.Random(seed)</c> does.  Checked against /usr/bin/python3 by <c>PythonRandomTests</c>.
/// </summary>
public sealed class PythonRandom
{
    const int N = 624, M = 397;
    const uint MatrixA = 0x9908b0dfu, UpperMask = 0x80000000u, LowerMask = 0x7fffffffu;

    readonly uint[] mt = new uint[N];
    int mti;

    /// <summary><c>random.Random(seed)</c> for an int seed.</summary>
    public PythonRandom(long seed)
    {
        ulong magnitude = seed < 0 ? (ulong)(-(seed + 1)) + 1 : (ulong)seed;
        uint low = (uint)magnitude, high = (uint)(magnitude >> 32);
        InitByArray(high == 0 ? [low] : [low, high]);
    }

    void InitGenrand(uint s)
    {
        mt[0] = s;
        for (mti = 1; mti < N; mti++)
            mt[mti] = unchecked(1812433253u * (mt[mti - 1] ^ (mt[mti - 1] >> 30)) + (uint)mti);
    }

    void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            mt[i] = unchecked((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j); // non-linear
            i++; j++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            mt[i] = unchecked((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint)i); // non-linear
            i++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        }
        mt[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial array
    }

    /// <summary>The next 32-bit output (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (mti >= N)
        {
            int kk;
            for (kk = 0; kk < N - M; kk++) Twist(kk, kk + M);
            for (; kk < N - 1; kk++) Twist(kk, kk + (M - N));
            uint last = (mt[N - 1] & UpperMask) | (mt[0] & LowerMask);
            mt[N - 1] = mt[M - 1] ^ (last >> 1) ^ ((last & 1u) == 0 ? 0u : MatrixA);
            mti = 0;
        }
        uint y = mt[mti++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    void Twist(int kk, int other)
    {
        uint y = (mt[kk] & UpperMask) | (mt[kk + 1] & LowerMask);
        mt[kk] = mt[other] ^ (y >> 1) ^ ((y & 1u) == 0 ? 0u : MatrixA);
    }

    /// <summary><c>getrandbits(k)</c> for 0 ≤ k ≤ 32: the top k bits of one output.</summary>
    public uint GetRandBits(int k)
    {
        if (k is < 0 or > 32) throw new ArgumentOutOfRangeException(nameof(k), k, "0..32 bits");
        return k == 0 ? 0u : NextUInt32() >> (32 - k);
    }

    /// <summary><c>_randbelow_with_getrandbits(n)</c>: k = n.bit_length() bits, redrawn until below n.</summary>
    public int RandBelow(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be > 0");
        int k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = GetRandBits(k);
        while (r >= (uint)n) r = GetRandBits(k);
        return (int)r;
    }

    /// <summary>
    /// <c>random.sample(range(n), k)</c>: k distinct indices in selection order.  Python keeps a pool list when it is
    /// smaller than a k-element set (n ≤ 21, or ≤ 21 + 4^⌈log₄ 3k⌉ for k &gt; 5) and swaps the last free item into
    /// each vacancy; otherwise it redraws indices already selected.  Sampling a list draws the same indices.
    /// </summary>
    public int[] Sample(int n, int k)
    {
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"Sample larger than population ({n}) or is negative");
        var result = new int[k];
        long setSize = 21; // size of a small set minus size of an empty list
        if (k > 5) setSize += (long)Math.Pow(4, Math.Ceiling(Math.Log(k * 3.0) / Math.Log(4)));
        if (n <= setSize)
        {
            var pool = Enumerable.Range(0, n).ToArray();
            for (int i = 0; i < k; i++)
            {
                int j = RandBelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1]; // move the non-selected item into the vacancy
            }
        }
        else
        {
            var selected = new HashSet<int>();
            for (int i = 0; i < k; i++)
            {
                int j = RandBelow(n);
                while (selected.Contains(j)) j = RandBelow(n);
                selected.Add(j);
                result[i] = j;
            }
        }
        return result;
    }
}
