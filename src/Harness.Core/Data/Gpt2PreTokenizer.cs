using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Harness.Data;

/// <summary>The GPT-2 pre-tokenizer pattern, shared by BPE training and encoding so both split text identically.</summary>
public static class Gpt2PreTokenizer
{
    /// <summary>From openai/gpt-2 src/encoder.py (also tiktoken's "gpt2"/"r50k_base" pat_str).</summary>
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static readonly Regex Regex = new(Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public static PreTokenizer Create() => new RegexPreTokenizer(Regex, specialTokens: null);
}
