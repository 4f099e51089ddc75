using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Harness.IO;

namespace Harness.Data;

/// <summary>
/// A byte-level BPE vocabulary in tiktoken form: token bytes by rank, ranks 0..255 are the single bytes 0x00..0xFF,
/// and rank r &gt; 255 is the r-th learned merge.  Lower rank merges first when encoding, which is how tiktoken
/// (and Microsoft.ML.Tokenizers.TiktokenTokenizer) apply a rank file (https://github.com/openai/tiktoken, src/lib.rs).
/// </summary>
public sealed class BpeVocabulary
{
    readonly byte[][] _tokens;

    public BpeVocabulary(IReadOnlyList<byte[]> tokens)
    {
        if (tokens.Count < 256)
            throw new ArgumentException($"A byte-level vocabulary needs the 256 single bytes; got {tokens.Count} tokens.", nameof(tokens));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (i < 256 && (tokens[i].Length != 1 || tokens[i][0] != i))
                throw new ArgumentException($"Rank {i} must be the single byte 0x{i:X2}.", nameof(tokens));
            if (tokens[i].Length == 0 || !seen.Add(Convert.ToBase64String(tokens[i])))
                throw new ArgumentException($"Rank {i} is empty or repeats an earlier token.", nameof(tokens));
        }
        _tokens = tokens.Select(t => t.ToArray()).ToArray();
    }

    public int Count => _tokens.Length;

    public ReadOnlySpan<byte> this[int rank] => _tokens[rank];

    /// <summary>The .tiktoken rank file: one "base64(bytes) rank" line per token, LF, ascending rank.</summary>
    public byte[] ToTiktokenBytes()
    {
        var text = new StringBuilder(_tokens.Length * 16);
        for (int rank = 0; rank < _tokens.Length; rank++)
            text.Append(Convert.ToBase64String(_tokens[rank])).Append(' ')
                .Append(rank.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>Lowercase hex sha256 of the rank file bytes.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(ToTiktokenBytes()));

    /// <summary>Writes the rank file atomically (temp file + rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, ToTiktokenBytes());

    public static BpeVocabulary Load(string path)
    {
        if (!File.Exists(path))
            throw new UserInputException($"{path}: tokenizer file not found.");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a rank file; ranks must be 0..n-1 in order (which is what <see cref="Save"/> writes).</summary>
    public static BpeVocabulary Parse(ReadOnlySpan<byte> tiktoken, string name)
    {
        var tokens = new List<byte[]>();
        var problems = new List<string>();
        int lineNumber = 0;
        foreach (var line in Encoding.ASCII.GetString(tiktoken).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            byte[]? bytes = null;
            if (parts.Length != 2
                || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int rank)
                || rank != tokens.Count
                || (bytes = TryBase64(parts[0])) is null)
            {
                problems.Add($"{name}: line {lineNumber}: \"{Truncate(line)}\" is not \"base64 {tokens.Count}\"; " +
                             "the file is damaged or not a harness .tiktoken file: delete it and prepare the data again.");
                if (problems.Count >= 5) break;
                continue;
            }
            tokens.Add(bytes);
        }
        if (problems.Count > 0)
            throw new UserInputException($"{name}: cannot read the tokenizer rank file.", problems);
        try
        {
            return new BpeVocabulary(tokens);
        }
        catch (ArgumentException e)
        {
            throw new UserInputException($"{name}: not a byte-level rank file: {e.Message}");
        }
    }

    static byte[]? TryBase64(string s)
    {
        try { return Convert.FromBase64String(s); }
        catch (FormatException) { return null; }
    }

    static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>
/// Trains a byte-level BPE vocabulary the way GPT-2's was built (Radford et al. 2019, §2.2; Sennrich et al. 2016):
/// split text into pre-tokens with the GPT-2 regex so merges never cross word/space/punctuation boundaries, start from
/// the 256 bytes, and repeatedly merge the most frequent adjacent pair.
/// </summary>
/// <remarks>
/// Speed comes from counting each distinct pre-token once (weighted by frequency), keeping pair counts incrementally
/// (a merge only touches the words that contain the merged pair, found through a pair→words index) and picking the
/// best pair from a priority queue with lazy deletion (stale entries are skipped when popped).  Ties in frequency go to
/// the lexicographically smaller (left bytes, right bytes), so the result depends only on the multiset of texts.
/// If the best pair concatenates to bytes that already are a token (reachable by another split), the pair is merged
/// into that existing token and no rank is spent, so every rank in the file has distinct bytes.
/// </remarks>
public static class BpeTrainer
{
    public static BpeVocabulary Train(IEnumerable<string> trainingTexts, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(trainingTexts);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 256);

        var wordCounts = CountPreTokens(trainingTexts);
        // Ordinal order makes the internal word numbering (and so all iteration) independent of thread scheduling.
        var distinct = wordCounts.Keys.ToArray();
        Array.Sort(distinct, StringComparer.Ordinal);

        var tokens = new List<byte[]>(vocabSize);
        for (int b = 0; b < 256; b++) tokens.Add([(byte)b]);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++) tokenIds.Add(Key(tokens[b]), b);

        var words = new int[distinct.Length][];
        var lengths = new int[distinct.Length];
        var counts = new long[distinct.Length];
        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, List<int>>();
        for (int w = 0; w < distinct.Length; w++)
        {
            var bytes = Encoding.UTF8.GetBytes(distinct[w]);
            words[w] = Array.ConvertAll(bytes, b => (int)b);
            lengths[w] = bytes.Length;
            counts[w] = wordCounts[distinct[w]];
            for (int i = 0; i + 1 < bytes.Length; i++)
            {
                long pair = Pair(bytes[i], bytes[i + 1]);
                CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _) += counts[w];
                AddWord(pairWords, pair, w);
            }
        }

        var queue = new PriorityQueue<long, Candidate>(new CandidateOrder(tokens));
        foreach (var (pair, count) in pairCounts)
            queue.Enqueue(pair, new Candidate(count, Left(pair), Right(pair)));

        var visited = new int[distinct.Length];
        int step = 0;
        var deltas = new Dictionary<long, long>();
        while (tokens.Count < vocabSize && queue.TryDequeue(out long best, out var candidate))
        {
            if (!pairCounts.TryGetValue(best, out long current) || current != candidate.Count)
                continue; // stale entry; the current count was queued when it changed

            int a = Left(best), b = Right(best);
            var merged = new byte[tokens[a].Length + tokens[b].Length];
            tokens[a].CopyTo(merged, 0);
            tokens[b].CopyTo(merged, tokens[a].Length);
            var key = Key(merged);
            if (!tokenIds.TryGetValue(key, out int z))
            {
                z = tokens.Count;
                tokens.Add(merged);
                tokenIds.Add(key, z);
            }

            step++;
            deltas.Clear();
            var affected = pairWords[best];
            pairWords.Remove(best);
            foreach (int w in affected)
            {
                if (visited[w] == step) continue;
                visited[w] = step;
                MergeWord(words[w], ref lengths[w], a, b, z, counts[w], deltas, pairWords, w);
            }
            foreach (var (pair, delta) in deltas)
            {
                if (delta == 0) continue;
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _);
                count += delta;
                if (count > 0)
                    queue.Enqueue(pair, new Candidate(count, Left(pair), Right(pair)));
                else
                {
                    pairCounts.Remove(pair);
                    pairWords.Remove(pair);
                }
            }
        }
        return new BpeVocabulary(tokens);
    }

    /// <summary>Replaces every (a, b) in the word by z, left to right, and records the pair-count changes.</summary>
    static void MergeWord(int[] word, ref int length, int a, int b, int z, long count,
                          Dictionary<long, long> deltas, Dictionary<long, List<int>> pairWords, int w)
    {
        // A word listed under (a, b) may no longer contain it (the index is append-only); skip cheaply.
        bool found = false;
        for (int i = 0; i + 1 < length; i++)
            if (word[i] == a && word[i + 1] == b) { found = true; break; }
        if (!found) return;

        for (int i = 0; i + 1 < length; i++)
            CollectionsMarshal.GetValueRefOrAddDefault(deltas, Pair(word[i], word[i + 1]), out _) -= count;

        int write = 0;
        for (int read = 0; read < length; read++)
        {
            if (read + 1 < length && word[read] == a && word[read + 1] == b)
            {
                word[write++] = z;
                read++;
            }
            else word[write++] = word[read];
        }
        length = write;

        for (int i = 0; i + 1 < length; i++)
        {
            long pair = Pair(word[i], word[i + 1]);
            CollectionsMarshal.GetValueRefOrAddDefault(deltas, pair, out _) += count;
            // Only pairs with z are new to this word; every other pair already lists it.
            if (word[i] == z || word[i + 1] == z) AddWord(pairWords, pair, w);
        }
    }

    /// <summary>
    /// Counts distinct GPT-2 pre-tokens over all texts.  Texts are counted in parallel into per-thread tables and
    /// summed, so the result does not depend on scheduling.
    /// </summary>
    internal static Dictionary<string, long> CountPreTokens(IEnumerable<string> texts)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new object();
        Parallel.ForEach(texts,
            () => new Dictionary<string, long>(StringComparer.Ordinal),
            (text, _, local) =>
            {
                var lookup = local.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var match in Gpt2PreTokenizer.Regex.EnumerateMatches(text))
                {
                    var piece = text.AsSpan(match.Index, match.Length);
                    if (lookup.TryGetValue(piece, out long n)) lookup[piece] = n + 1;
                    else lookup[piece] = 1;
                }
                return local;
            },
            local =>
            {
                lock (gate)
                    foreach (var (word, n) in local)
                        CollectionsMarshal.GetValueRefOrAddDefault(total, word, out _) += n;
            });
        return total;
    }

    static void AddWord(Dictionary<long, List<int>> pairWords, long pair, int w)
    {
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(pairWords, pair, out _);
        list ??= [];
        // Consecutive duplicates are the common case (a pair repeated inside one word); drop them here.
        if (list.Count == 0 || list[^1] != w) list.Add(w);
    }

    static long Pair(int a, int b) => ((long)a << 32) | (uint)b;
    static int Left(long pair) => (int)(pair >> 32);
    static int Right(long pair) => (int)(pair & 0xFFFFFFFF);
    static string Key(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    readonly record struct Candidate(long Count, int Left, int Right);

    /// <summary>Highest count first; ties by left token bytes, then right token bytes (ordinal).</summary>
    sealed class CandidateOrder(List<byte[]> tokens) : IComparer<Candidate>
    {
        public int Compare(Candidate x, Candidate y)
        {
            int c = y.Count.CompareTo(x.Count);
            if (c != 0) return c;
            c = tokens[x.Left].AsSpan().SequenceCompareTo(tokens[y.Left]);
            return c != 0 ? c : tokens[x.Right].AsSpan().SequenceCompareTo(tokens[y.Right]);
        }
    }
}
