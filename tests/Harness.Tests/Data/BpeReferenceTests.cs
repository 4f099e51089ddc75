using System.Text;
using Harness.Data;

namespace Harness.Tests.Data;

/// <summary>
/// Checks the incremental trainer against a direct transcription of the BPE loop (recount every pair after every
/// merge), on texts small enough for the quadratic version.
/// </summary>
public class BpeReferenceTests
{
    [Theory]
    [InlineData(0, 400)]
    [InlineData(1, 600)]
    [InlineData(2, 350)]
    public void Incremental_trainer_matches_the_naive_algorithm(int docIndex, int vocabSize)
    {
        var text = SmallCorpus.Texts(3)[docIndex][..6000] + " aaaa aaaaa abcabc bcabca ☃☃☃ 🐋🐋";
        var fast = BpeTrainer.Train([text], vocabSize);
        var naive = NaiveTrain(text, vocabSize);
        Assert.Equal(naive.Count, fast.Count);
        for (int r = 0; r < naive.Count; r++)
            Assert.True(naive[r].AsSpan().SequenceEqual(fast[r]), $"rank {r}");
    }

    static List<byte[]> NaiveTrain(string text, int vocabSize)
    {
        var words = Gpt2PreTokenizer.Regex.Matches(text)
            .Select(m => Encoding.UTF8.GetBytes(m.Value).Select(b => (int)b).ToList()).ToList();
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        while (tokens.Count < vocabSize)
        {
            var counts = new Dictionary<(int, int), int>();
            foreach (var w in words)
                for (int i = 0; i + 1 < w.Count; i++)
                    counts[(w[i], w[i + 1])] = counts.GetValueOrDefault((w[i], w[i + 1])) + 1;
            if (counts.Count == 0) break;
            var best = counts.OrderByDescending(kv => kv.Value)
                .ThenBy(kv => tokens[kv.Key.Item1], ByteOrder.Instance)
                .ThenBy(kv => tokens[kv.Key.Item2], ByteOrder.Instance)
                .First().Key;
            var merged = tokens[best.Item1].Concat(tokens[best.Item2]).ToArray();
            int z = tokens.FindIndex(t => t.AsSpan().SequenceEqual(merged));
            if (z < 0) { z = tokens.Count; tokens.Add(merged); }
            foreach (var w in words)
                for (int i = 0; i + 1 < w.Count; i++)
                    if (w[i] == best.Item1 && w[i + 1] == best.Item2) { w[i] = z; w.RemoveAt(i + 1); }
        }
        return tokens;
    }

    sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
