using System.Collections.Concurrent;
using Harness.Config;

namespace Harness.Data;

/// <summary>
/// An "hf" tokenizer in <c>data.tokenizer</c>: its file must be one <see cref="TokenizerLoader"/> reads, and
/// <c>kd.top_k</c> must fit its vocabulary (Config checks the other kinds itself; the size of an "hf" one is in its file).
/// </summary>
internal static class TokenizerConfigCheck
{
    /// <summary>Loaded files by (full path, length, last write): validation runs often, a tokenizer.json is megabytes.</summary>
    static readonly ConcurrentDictionary<(string, long, DateTime), (int? VocabSize, IReadOnlyList<string> Problems)> Seen = new();

    public static IEnumerable<string> Validate(ExperimentConfig config, string path)
    {
        var spec = config.Data.TokenizerOrDefault;
        if (spec.Kind != TokenizerSpec.HuggingFace || spec.Path is null || DataSpecValidator.Validate(spec, "").Count > 0) return [];
        var (vocab, problems) = Inspect(spec);
        if (problems.Count > 0) return problems.Select(p => $"{path}.data.tokenizer.path: {p}");
        if (vocab is { } size && config.Kd.TopK > size)
            return [$"{path}.kd.top_k: value {config.Kd.TopK} is larger than the vocabulary ({size} tokens of data.tokenizer); use at most {size}, typically 16–64."];
        return [];
    }

    static (int?, IReadOnlyList<string>) Inspect(TokenizerSpec spec)
    {
        var info = new FileInfo(Directory.Exists(spec.Path) ? Path.Combine(spec.Path!, TokenizerLoader.HuggingFaceFileName) : spec.Path!);
        var key = (Path.GetFullPath(spec.Path!), info.Exists ? info.Length : -1, info.Exists ? info.LastWriteTimeUtc : default);
        return Seen.GetOrAdd(key, _ =>
        {
            try { return (TokenizerLoader.OpenSpec(spec).VocabSize, []); }
            catch (UserInputException e) { return (null, e.Problems); }
        });
    }
}
