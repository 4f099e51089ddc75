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

    /// <summary>Predicted cost for balancing shards: student training FLOPs, ×1.4 for methods that also run or read a
    /// teacher (the dry-run's rough ratio on CPU).</summary>
    public static double PredictedCost(SweepUnit u) => u.PredictedTrainFlops * (u.Method == "scratch" ? 1.0 : 1.4);

    /// <summary>
    /// Parses "I/N" (1-based) and keeps the I-th of N shares, balanced by predicted FLOPs: units in decreasing cost
    /// (ties by index) each go to the share with the least cost so far (longest-processing-time-first, Graham 1969),
    /// so every share gets a mix of methods and sizes.  Deterministic: every shard computes the same assignment.
    /// </summary>
    public static IReadOnlyList<SweepUnit> Shard(IReadOnlyList<SweepUnit> units, string? shard)
    {
        if (string.IsNullOrEmpty(shard)) return units;
        var (i, n) = ParseShard(shard);
        var load = new double[n];
        var assigned = new int[units.Count];
        foreach (var u in units.Select((u, k) => (u, k)).OrderByDescending(x => PredictedCost(x.u)).ThenBy(x => x.u.Index))
        {
            int best = 0;
            for (int s = 1; s < n; s++) if (load[s] < load[best]) best = s;
            load[best] += PredictedCost(u.u);
            assigned[u.k] = best;
        }
        return units.Where((_, k) => assigned[k] == i - 1).ToList();
    }

    public static (int Index, int Count) ParseShard(string shard)
    {
        var parts = shard.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n) || n < 1 || i < 1 || i > n)
            throw new UserInputException($"--shard: value '{shard}' must be I/N with 1 ≤ I ≤ N, e.g. 1/2.");
        return (i, n);
    }

    /// <summary>Keeps units whose key, method, student or budget contains the pattern (case-insensitive).</summary>
    public static IReadOnlyList<SweepUnit> Only(IReadOnlyList<SweepUnit> units, string? pattern) =>
        string.IsNullOrEmpty(pattern) ? units :
        units.Where(u => $"{u.Key} {u.Method} {u.Student} {u.Budget} seed{u.Seed}".Contains(pattern, StringComparison.OrdinalIgnoreCase)).ToList();
}
