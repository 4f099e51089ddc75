namespace Harness.Data;

/// <summary>The token ids of one split (in memory or memory-mapped), with the UTF-8 size of the text they encode.</summary>
public sealed class TokenStream
{
    public TokenStream(TokenIds tokens, long utf8Bytes)
    {
        Tokens = tokens;
        Utf8Bytes = utf8Bytes;
    }

    public TokenIds Tokens { get; }

    /// <summary>UTF-8 bytes of the encoded text (documents plus separators): the denominator of bits-per-byte,
    /// which, unlike per-token loss, compares models with different tokenizers.</summary>
    public long Utf8Bytes { get; }

    public long Count => Tokens.Length;

    public double BytesPerToken => Tokens.Length == 0 ? 0 : (double)Utf8Bytes / Tokens.Length;
}
