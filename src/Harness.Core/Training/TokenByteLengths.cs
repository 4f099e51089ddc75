using Microsoft.ML.Tokenizers;

namespace Harness.Training;

/// <summary>UTF-8 byte length of every token id, for exact bits-per-byte (byte-level BPE tokens are fixed byte strings).</summary>
public static class TokenByteLengths
{
    /// <summary>
    /// Exact lengths from a .tiktoken rank file (base64 token, space, rank).  Without one (stock GPT-2 encoding), each id
    /// is decoded on its own, which is approximate for ids that are partial UTF-8 sequences (README notes this).
    /// </summary>
    public static int[] For(string? tiktokenPath, Tokenizer tokenizer, int vocabSize)
    {
        var lengths = new int[vocabSize];
        if (tiktokenPath is not null && File.Exists(tiktokenPath))
        {
            foreach (var line in File.ReadLines(tiktokenPath))
            {
                var parts = line.Split(' ');
                if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var id)) continue;
                if (id < vocabSize) lengths[id] = Convert.FromBase64String(parts[0]).Length;
            }
            return lengths;
        }
        for (int id = 0; id < vocabSize; id++)
            lengths[id] = System.Text.Encoding.UTF8.GetByteCount(tokenizer.Decode([id]) ?? "");
        return lengths;
    }
}
