using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Harness.Data;

/// <summary>
/// A SentencePiece BPE model encoded word by word, as Google's sentencepiece does (model_interface.cc SplitIntoWords):
/// the normalized text ("▁" for spaces, the dummy prefix added) is cut before each "▁" (before the first "▁" of a run
/// when the model allows whitespace-only pieces, as Llama-2's does), and each word is merged on its own.
/// Microsoft.ML.Tokenizers merges the whole text at once, which can break ties between equal-score pairs differently
/// across words (e.g. "▁▁▁c" → "▁▁"+"▁c" in sentencepiece, "▁▁▁"+"c" there).  One difference remains inside a word:
/// when two equal pairs overlap (a run like "fff" with the piece "ff"), sentencepiece merges the left one first and
/// Microsoft.ML.Tokenizers (2.0.1 and 3.0.0) the right one, so such words can get other ids (TokenizerReferenceTests
/// measures it; README: "Tokenizers").  Suffix-whitespace models (treat_whitespace_as_suffix) are merged whole.
/// </summary>
internal sealed class SentencePieceWordTokenizer(SentencePieceTokenizer inner, bool allowWhitespaceOnlyPieces) : Tokenizer
{
    const char Space = '\u2581';

    public override Normalizer? Normalizer => inner.Normalizer;

    public override PreTokenizer? PreTokenizer => inner.PreTokenizer;

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var normalized = Normalize(text, textSpan, settings);
        var tokens = new List<EncodedToken>();
        foreach (var (start, length) in Words(normalized))
            foreach (var t in inner.EncodeToTokens(normalized.AsSpan(start, length), out _, considerPreTokenization: false, considerNormalization: false))
                tokens.Add(new EncodedToken(t.Id, t.Value, new Range(t.Offset.Start.Value + start, t.Offset.End.Value + start)));
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = normalized, CharsConsumed = normalized.Length };
    }

    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var normalized = Normalize(text, textSpan, settings);
        var ids = new List<int>();
        foreach (var (start, length) in Words(normalized))
            ids.AddRange(inner.EncodeToIds(normalized.AsSpan(start, length), considerPreTokenization: false, considerNormalization: false));
        if (ids.Count > settings.MaxTokenCount) ids.RemoveRange(settings.MaxTokenCount, ids.Count - settings.MaxTokenCount);
        return new EncodeResults<int> { Tokens = ids, NormalizedText = normalized, CharsConsumed = normalized.Length };
    }

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
        inner.Decode(ids, destination, out idsConsumed, out charsWritten);

    public override string Decode(IEnumerable<int> ids) => inner.Decode(ids);

    string Normalize(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var raw = text ?? textSpan.ToString();
        return settings.ConsiderNormalization && inner.Normalizer is { } n ? n.Normalize(raw) : raw;
    }

    /// <summary>sentencepiece's SplitIntoWords (whitespace as prefix): a word starts at the text's start and at each
    /// "▁", except a "▁" that continues a whitespace run when whitespace-only pieces are allowed.</summary>
    IEnumerable<(int Start, int Length)> Words(string text)
    {
        if (inner.TreatWhitespaceAsSuffix || text.Length == 0)
        {
            if (text.Length > 0) yield return (0, text.Length);
            yield break;
        }
        int start = 0;
        bool inRun = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool space = text[i] == Space;
            if (i == 0 || (space && (!inRun || !allowWhitespaceOnlyPieces)))
            {
                if (i > 0) yield return (start, i - start);
                start = i;
                inRun = true;
            }
            if (!space) inRun = false;
        }
        yield return (start, text.Length - start);
    }
}
