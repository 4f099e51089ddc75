using Harness.Config;
using Harness.Modeling;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>
/// The warmup–stable–decay sweep design (Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed
/// Training Durations", §3–4): per (student, method, seed) one <b>trunk</b> trained at constant learning rate up to the
/// largest budget's cooldown start, and per budget one <b>cooldown branch</b> that starts from the trunk's checkpoint at
/// step S_b − C_b (S_b = the budget's steps, C_b = round(cooldown_fraction · S_b)) and decays with the 1−sqrt shape to
/// min_learning_rate at step S_b.  A branch's end is a finished WSD run of its budget, bit-identical to one trained
/// straight through (same schedule, and the batch of micro-batch k is a function of (seed, k) only, so the branch
/// continues the trunk's data order).  Student compute: the trunk max_b(S_b − C_b) + Σ_b C_b steps instead of Σ_b S_b.
/// </summary>
public static class WsdDesign
{
    public const string TrunkBudget = "trunk";

    /// <summary>Trunks and branches, grouped by seed, student, method; within a group the trunk first, then the branches by budget.</summary>
    public static IReadOnlyList<SweepUnit> Expand(ExperimentConfig config, int vocabSize, string dataHash, string? teacherHash)
    {
        var training = config.Training;
        double fraction = training.CooldownFractionOrDefault;
        var problems = new List<string>();
        var shapes = new List<(string Name, GptConfig Model, List<(string Budget, long Tokens, int Steps, int Fork)> Branches)>();
        foreach (var (studentName, spec) in config.Students)
        {
            var model = spec.Resolve(vocabSize);
            var branches = new List<(string, long, int, int)>();
            foreach (var budget in config.Budgets)
            {
                long tokens = budget.TokensFor(ModelMath.TrainFlopsPerToken(model));
                int steps = (training with { MaxTokens = tokens, MaxSteps = null }).TotalSteps(model.ContextLength);
                int fork = steps - training.CooldownSteps(steps);
                if (training.WsdCooldownProblem(budget.Name, studentName, steps) is { } problem) problems.Add(problem);
                branches.Add((budget.Name, tokens, steps, fork));
            }
            shapes.Add((studentName, model, branches));
        }
        if (problems.Count > 0) throw new UserInputException("the WSD sweep cannot be laid out.", problems);

        var identityTraining = training with
        {
            MaxSteps = null, MaxTokens = null, CheckpointInterval = 0, LogInterval = 1, CooldownFraction = fraction,
        };
        var units = new List<SweepUnit>();
        int group = 0;
        foreach (var seed in config.Seeds)
        foreach (var (studentName, model, branches) in shapes)
        foreach (var method in config.Methods)
        {
            int trunkSteps = branches.Max(b => b.Fork);
            long perStep = training.TokensPerStep(model.ContextLength);
            var methodIdentity = Distillation.Methods.MethodRegistry.Get(method).Identity(config, teacherHash);
            object Identity(string role, long tokens, int steps) => new
            {
                schema = Results.ResultSchema.Version,
                role,
                model,
                tokens,
                steps,
                method,
                seed,
                training = identityTraining,
                kd = methodIdentity.Kd,
                seqKd = methodIdentity.SeqKd,
                data = dataHash,
                teacher = methodIdentity.Teacher,
            };
            // The trunk's key holds its length: adding a larger budget makes a new, longer trunk.  A branch's key does
            // not depend on the trunk's length (the trunk is the same up to every fork), only on its own budget.
            var trunkKey = SweepPlan.Hash(Identity("wsd-trunk", trunkSteps * perStep, trunkSteps));
            units.Add(new SweepUnit(trunkKey, units.Count, studentName, model, TrunkBudget, trunkSteps * perStep, method, seed)
            {
                Role = UnitRole.Trunk, Schedule = LearningRateSchedule.Wsd, Steps = trunkSteps, TokensPerStep = perStep,
                ForkSteps = branches.Select(b => b.Fork).Distinct().Order().ToList(), Group = group,
            });
            foreach (var (budget, tokens, steps, fork) in branches)
                units.Add(new SweepUnit(SweepPlan.Hash(Identity("wsd-branch", tokens, steps)), units.Count, studentName, model, budget, tokens, method, seed)
                {
                    Role = UnitRole.Branch, Schedule = LearningRateSchedule.Wsd, Steps = steps, StartStep = fork, TokensPerStep = perStep,
                    TrunkKey = trunkKey, Group = group,
                });
            group++;
        }
        return units;
    }

    /// <summary>Where a trunk writes the checkpoint its branch forks from.</summary>
    public static string ForkDirectory(RunFolder folder, string trunkKey, int step) =>
        folder.Layout.Unit(trunkKey).Fork(step);
}
