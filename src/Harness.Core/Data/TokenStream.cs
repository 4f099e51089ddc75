namespace Harness.Data;

/// <summary>A contiguous token-id array for one split, with the UTF-8 size of the text it encodes.</summary>
public sealed class TokenStream
{
    public TokenStream(int[] tokens, long utf8Bytes)
    {
        Tokens = tokens;
        Utf8Bytes = utf8Bytes;
    }

    public int[] Tokens { get; }

    /// <summary>UTF-8 bytes of the encoded text (documents plus separators): the denominator of bits-per-byte,
    /// which, unlike per-token loss, compares models with different tokenizers.</summary>
    public long Utf8Bytes { get; }

    public int Count => Tokens.Length;

    public double BytesPerToken => Tokens.Length == 0 ? 0 : (double)Utf8Bytes / Tokens.Length;
}
