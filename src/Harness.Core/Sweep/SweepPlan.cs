using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Config;
using Harness.Modeling;

namespace Harness.Sweep;

/// <summary>One trainable unit of a sweep: (teacher, student size, budget, method, seed).</summary>
public sealed record SweepUnit(string Key, int Index, string Student, GptConfig Model, string Budget, long Tokens, string Method, int Seed)
{
    public double PredictedTrainFlops => Tokens * ModelMath.TrainFlopsPerToken(Model);
}

/// <summary>Expands an experiment config into units in a deterministic order, each with a stable key.</summary>
public static class SweepPlan
{
    /// <summary>Hex SHA-256 prefix of a canonical JSON value.</summary>
    public static string Hash(object value, int hexChars = 12) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, JsonConfigReader.Options))))[..hexChars];

    /// <summary>
    /// Units ordered by budget, student, seed, method.  The key hashes everything that changes a unit's result: model
    /// shape, tokens, method and its settings, seed, optimiser settings, data/tokenizer hashes and the teacher's hash.
    /// </summary>
    public static IReadOnlyList<SweepUnit> Expand(ExperimentConfig config, int vocabSize, string dataHash, string? teacherHash)
    {
        var units = new List<SweepUnit>();
        foreach (var budget in config.Budgets)
        foreach (var (studentName, spec) in config.Students)
        {
            var model = spec.Resolve(vocabSize);
            long tokens = budget.TokensFor(ModelMath.TrainFlopsPerToken(model));
            foreach (var seed in config.Seeds)
            foreach (var method in config.Methods)
            {
                var identity = new
                {
                    schema = Results.ResultSchema.Version,
                    model,
                    tokens,
                    method,
                    seed,
                    training = config.Training with { MaxSteps = null, MaxTokens = null, CheckpointInterval = 0, LogInterval = 1 },
                    kd = method == "logit-kd" ? config.Kd with { Cache = false } : null,
                    seqKd = method == "seq-kd" ? config.SeqKd : null,
                    data = dataHash,
                    teacher = method == "scratch" ? null : teacherHash,
                };
                units.Add(new SweepUnit(Hash(identity), units.Count, studentName, model, budget.Name, tokens, method, seed));
            }
        }
        return units;
    }

    /// <summary>Parses "I/N" (1-based) and keeps units whose index ≡ I−1 (mod N).</summary>
    public static IReadOnlyList<SweepUnit> Shard(IReadOnlyList<SweepUnit> units, string? shard)
    {
        if (string.IsNullOrEmpty(shard)) return units;
        var parts = shard.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n) || n < 1 || i < 1 || i > n)
            throw new UserInputException($"--shard: value '{shard}' must be I/N with 1 ≤ I ≤ N, e.g. 1/2.");
        return units.Where(u => u.Index % n == i - 1).ToList();
    }

    /// <summary>
    /// <c>--only</c>: keeps units matching any of the comma-separated terms.  A term matches a unit when it equals (case-
    /// insensitive) or, with <c>*</c>/<c>?</c>, glob-matches its key, method, student, budget or <c>seedN</c> — exact
    /// fields, so <c>seed1</c> does not select <c>seed10</c> and <c>mini</c> does not select <c>mini2</c>.  A term that
    /// matches nothing is an error listing the values that exist.
    /// </summary>
    public static IReadOnlyList<SweepUnit> Only(IReadOnlyList<SweepUnit> units, string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return units;
        static string[] Fields(SweepUnit u) => [u.Key, u.Method, u.Student, u.Budget, $"seed{u.Seed}"];
        static bool Match(string term, string field) =>
            term.IndexOfAny(['*', '?']) >= 0 ? System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(term, field, ignoreCase: true)
                                             : string.Equals(term, field, StringComparison.OrdinalIgnoreCase);
        var terms = pattern.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unmatched = terms.Where(t => !units.Any(u => Fields(u).Any(f => Match(t, f)))).ToList();
        if (unmatched.Count > 0)
            throw new UserInputException($"--only: {string.Join(", ", unmatched.Select(t => $"'{t}'"))} matches no unit.",
                [$"--only: a term is an exact unit key, method ({string.Join(", ", units.Select(u => u.Method).Distinct())}), student ({string.Join(", ", units.Select(u => u.Student).Distinct())}), " +
                 $"budget ({string.Join(", ", units.Select(u => u.Budget).Distinct())}) or seedN ({string.Join(", ", units.Select(u => $"seed{u.Seed}").Distinct())}), or a glob such as 'logit-*'; separate terms with commas."]);
        return units.Where(u => terms.Any(t => Fields(u).Any(f => Match(t, f)))).ToList();
    }
}
