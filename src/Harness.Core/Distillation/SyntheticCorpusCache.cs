using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Config;
using Harness.Modeling;
using Harness.IO;
using Harness.Data;

namespace Harness.Distillation;

/// <summary>
/// The seq-KD corpus (<see cref="SyntheticCorpus"/>) on disk, in <c>.cache/synthetic/KEY.json</c>, so every student,
/// process and rerun shares one generation.  The key hashes the sampling settings, the teacher and the training stream
/// the prompts come from.  A file that does not parse, or whose tokens do not fit the request (count, ids within the
/// teacher's vocabulary, finite FLOPs), is generated again and replaced atomically.
/// </summary>
public sealed class SyntheticCorpusCache(string cacheRoot)
{
    /// <summary>The synthetic corpus this cache holds for one (settings, teacher, data) triple.</summary>
    /// <param name="Settings">Sampling settings (<c>seq_kd</c>).</param>
    /// <param name="TeacherHash">Hash of the teacher checkpoint.</param>
    /// <param name="TokenizerHash">Hash of the tokenizer.</param>
    /// <param name="TrainStreamHash">Hash of the training stream the prompts are drawn from.</param>
    public sealed record Request(SeqKdSpec Settings, string TeacherHash, string TokenizerHash, string TrainStreamHash);

    public string Folder { get; } = Path.Combine(cacheRoot, "synthetic");

    public string PathFor(Request request)
    {
        var s = request.Settings;
        // The key's shape is that of the first cache files (they stay valid): names and order matter.
        var key = Hash(new { teacherHash = request.TeacherHash, s.Tokens, s.Temperature, s.TopP, s.Seed, data = request.TokenizerHash, stream = request.TrainStreamHash });
        return Path.Combine(Folder, $"{key}.json");
    }

    /// <summary>The cached corpus, or the teacher's fresh samples (prompts from <paramref name="promptSource"/>), written to the cache.</summary>
    public SyntheticCorpus.Result LoadOrGenerate(Gpt teacher, TokenIds promptSource, Request request, Action<string>? status = null, CancellationToken cancellation = default)
    {
        var path = PathFor(request);
        var cached = TryRead(path, request.Settings.Tokens, teacher.Config.VocabSize, out var problem);
        if (cached is not null) return cached;
        var s = request.Settings;
        status?.Invoke(problem is null
            ? $"seq-kd: teacher samples {s.Tokens:N0} tokens (T={s.Temperature}, top-p={s.TopP}, seed {s.Seed}); cached at {path}"
            : $"seq-kd: cached corpus {path} is unusable ({problem}); the teacher samples it again");
        var result = SyntheticCorpus.Generate(teacher, promptSource, s.Tokens, s.Temperature, s.TopP, s.Seed, cancellation: cancellation);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result));
        return result;
    }

    /// <summary>The corpus at <paramref name="path"/> when it is there and fits the request; else null, with why in
    /// <paramref name="problem"/> (null when the file is simply missing).</summary>
    public static SyntheticCorpus.Result? TryRead(string path, long tokens, int vocabSize, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return null;
        SyntheticCorpus.Result? result;
        try { result = JsonSerializer.Deserialize<SyntheticCorpus.Result>(File.ReadAllText(path)); }
        catch (JsonException e) { problem = $"not valid JSON: {e.Message}"; return null; }
        if (result?.Tokens is null) problem = "no tokens";
        else if (result.Tokens.Length != tokens) problem = $"{result.Tokens.Length} tokens, expected {tokens}";
        else if (result.Tokens.Any(t => t < 0 || t >= vocabSize)) problem = $"a token id outside [0, {vocabSize})";
        else if (!double.IsFinite(result.GenerationFlops) || result.GenerationFlops < 0) problem = $"generation_flops {result.GenerationFlops}";
        return problem is null ? result : null;
    }

    /// <summary>Hex SHA-256 prefix of the canonical JSON of <paramref name="value"/> (the same hash as sweep unit keys).</summary>
    static string Hash(object value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, HarnessJson.Options))))[..12];
}
