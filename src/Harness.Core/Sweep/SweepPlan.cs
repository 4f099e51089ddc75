using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Config;
using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.IO;

namespace Harness.Sweep;

/// <summary>What a unit is: a whole run (cosine), or a WSD trunk or cooldown branch (see <see cref="WsdDesign"/>).</summary>
public enum UnitRole { Run, Trunk, Branch }

/// <summary>
/// One trainable unit of a sweep: (teacher, student size, budget, method, seed).  With the cosine schedule a unit is a
/// whole run of its budget.  With WSD a unit is either the constant-LR trunk of (student, method, seed) — not a finished
/// run, <see cref="Budget"/> "trunk" — or the cooldown branch of one budget, which starts from the trunk's checkpoint at
/// <see cref="StartStep"/> and whose end is a finished run of that budget.
/// </summary>
public sealed record SweepUnit(string Key, int Index, string Student, GptConfig Model, string Budget, long Tokens, string Method, int Seed)
{
    public UnitRole Role { get; init; } = UnitRole.Run;
    /// <summary>"cosine" or "wsd".</summary>
    public string Schedule { get; init; } = Training.LearningRateSchedule.Cosine;
    /// <summary>The unit's last optimiser step (a branch's steps count from the start of its trunk).</summary>
    public int Steps { get; init; }
    /// <summary>Step the unit starts at: the fork step for a branch, else 0.</summary>
    public int StartStep { get; init; }
    public long TokensPerStep { get; init; }
    /// <summary>Branch: the key of the trunk it forks from.</summary>
    public string? TrunkKey { get; init; }
    /// <summary>Trunk: steps at which it writes a fork checkpoint (one per branch).</summary>
    public IReadOnlyList<int> ForkSteps { get; init; } = [];
    /// <summary>Shards keep a group together (a trunk and its branches); a cosine unit is its own group.</summary>
    public int Group { get; init; }

    /// <summary>True when the unit's end is a finished run of its budget (cosine run, WSD branch), false for a trunk.</summary>
    public bool IsFinishedRun => Role != UnitRole.Trunk;
    /// <summary>Readable name, e.g. "scratch/pico/150k/seed1" (a trunk: ".../trunk/seedN").</summary>
    public string Name => $"{Method}/{Student}/{Budget}/seed{Seed}";
    /// <summary>Tokens at the unit's end, counted from step 0 (a branch includes its trunk's share).</summary>
    public long EndTokens => Steps * TokensPerStep;
    /// <summary>Tokens this unit trains itself (a branch: its cooldown only).</summary>
    public long OwnTokens => (Steps - StartStep) * TokensPerStep;
    /// <summary>The registered method <see cref="Method"/> names.</summary>
    public IDistillationMethod TrainingMethod => MethodRegistry.Get(Method);
    /// <summary>Student training FLOPs this unit spends itself.</summary>
    public double PredictedTrainFlops => OwnTokens * ModelMath.TrainFlopsPerToken(Model);
    /// <summary>Student training FLOPs of the finished run it ends in (trunk share + cooldown for a branch; 0 for a trunk).</summary>
    public double FinishedRunFlops => IsFinishedRun ? EndTokens * ModelMath.TrainFlopsPerToken(Model) : 0;
}

/// <summary>Expands an experiment config into units in a deterministic order, each with a stable key.</summary>
public static class SweepPlan
{
    /// <summary>Hex SHA-256 prefix of a canonical JSON value.</summary>
    public static string Hash(object value, int hexChars = 12) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, HarnessJson.Options))))[..hexChars];

    /// <summary>
    /// Units ordered by budget, student, seed, method.  The key hashes everything that changes a unit's result: model
    /// shape, tokens, method and its settings, seed, optimiser settings, data/tokenizer hashes and the teacher's hash.
    /// </summary>
    public static IReadOnlyList<SweepUnit> Expand(ExperimentConfig config, int vocabSize, string dataHash, string? teacherHash)
    {
        if (config.Training.ScheduleShape == Training.LearningRateSchedule.Wsd)
            return WsdDesign.Expand(config, vocabSize, dataHash, teacherHash);
        var units = new List<SweepUnit>();
        foreach (var budget in config.Budgets)
        foreach (var (studentName, spec) in config.Students)
        {
            var model = spec.Resolve(vocabSize);
            long tokens = budget.TokensFor(ModelMath.TrainFlopsPerToken(model));
            foreach (var seed in config.Seeds)
            foreach (var method in config.Methods)
            {
                var methodIdentity = MethodRegistry.Get(method).Identity(config, teacherHash);
                var identity = new
                {
                    schema = Results.ResultSchema.Version,
                    model,
                    tokens,
                    method,
                    seed,
                    training = config.Training with { MaxSteps = null, MaxTokens = null, CheckpointInterval = 0, LogInterval = 1, Schedule = null },
                    kd = methodIdentity.Kd,
                    seqKd = methodIdentity.SeqKd,
                    data = dataHash,
                    teacher = methodIdentity.Teacher,
                };
                int steps = (config.Training with { MaxTokens = tokens, MaxSteps = null }).TotalSteps(model.ContextLength);
                units.Add(new SweepUnit(Hash(identity), units.Count, studentName, model, budget.Name, tokens, method, seed)
                {
                    Steps = steps, TokensPerStep = config.Training.TokensPerStep(model.ContextLength), Group = units.Count,
                });
            }
        }
        return units;
    }

    /// <summary>Predicted cost for balancing shards: student training FLOPs × the method's cost factor (×1.4 for methods
    /// that also run or read a teacher, the dry-run's rough ratio on CPU).</summary>
    public static double PredictedCost(SweepUnit u) => u.PredictedTrainFlops * u.TrainingMethod.PredictedCostFactor;

    /// <summary>
    /// Parses "I/N" (1-based) and keeps the I-th of N shares, balanced by predicted FLOPs: units in decreasing cost
    /// (ties by index) each go to the share with the least cost so far (longest-processing-time-first, Graham 1969),
    /// so every share gets a mix of methods and sizes.  The unit of assignment is a group (a WSD trunk with its
    /// branches, which need its checkpoints; a cosine run alone), costed as the sum of its units.  Deterministic: every shard computes the same assignment.
    /// </summary>
    public static IReadOnlyList<SweepUnit> Shard(IReadOnlyList<SweepUnit> units, string? shard)
    {
        if (string.IsNullOrEmpty(shard)) return units;
        var (i, n) = ParseShard(shard);
        var load = new double[n];
        var assigned = new Dictionary<int, int>();
        var groups = units.GroupBy(u => u.Group).Select(g => (Group: g.Key, Cost: g.Sum(PredictedCost), First: g.Min(u => u.Index)));
        foreach (var g in groups.OrderByDescending(g => g.Cost).ThenBy(g => g.First))
        {
            int best = 0;
            for (int s = 1; s < n; s++) if (load[s] < load[best]) best = s;
            load[best] += g.Cost;
            assigned[g.Group] = best;
        }
        return units.Where(u => assigned[u.Group] == i - 1).ToList();
    }

    public static (int Index, int Count) ParseShard(string shard)
    {
        var parts = shard.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n) || n < 1 || i < 1 || i > n)
            throw new UserInputException($"--shard: value '{shard}' must be I/N with 1 ≤ I ≤ N, e.g. 1/2.");
        return (i, n);
    }

    /// <summary>
    /// <c>--only</c>: keeps units matching any of the comma-separated terms.  A term matches a unit when it equals (case-
    /// insensitive) or, with <c>*</c>/<c>?</c>, glob-matches its key, method, student, budget or <c>seedN</c> — exact
    /// fields, so <c>seed1</c> does not select <c>seed10</c> and <c>mini</c> does not select <c>mini2</c>.  A term that
    /// matches nothing is an error listing the values that exist.
    /// Every kept WSD branch brings its trunk along (a branch cannot start without it).
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
        var keep = units.Where(u => terms.Any(t => Fields(u).Any(f => Match(t, f)))).Select(u => u.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var u in units.Where(u => keep.Contains(u.Key) && u.TrunkKey is not null).ToList()) keep.Add(u.TrunkKey!);
        return units.Where(u => keep.Contains(u.Key)).ToList();
    }
}
