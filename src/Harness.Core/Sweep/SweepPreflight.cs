using System.Globalization;
using Harness.Config;
using Harness.Data;
using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Sweep;

/// <summary>
/// Memory one training unit needs, estimated before it starts: parameters, gradients and AdamW's two moments
/// (16 bytes per parameter in fp32), plus activations kept for the backward pass at the micro-batch size.  Activations
/// per layer follow Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models", §4.1):
/// s·b·h·(34 + 5·a·s/h) bytes in 16-bit, doubled for fp32; plus logits, log-softmax and their gradient (3·b·s·V·4 bytes),
/// and, under logit KD with the teacher online, the teacher's weights and its logits.
/// </summary>
public static class MemoryEstimate
{
    public static long TrainingBytes(GptConfig model, int microBatch, GptConfig? onlineTeacher = null)
    {
        long p = ModelMath.TotalParams(model);
        double s = model.ContextLength, b = microBatch, h = model.DModel, a = model.Heads;
        double activations = model.Layers * s * b * h * (34 + 5 * a * s / h) * 2;
        double logits = 3 * b * s * model.VocabSize * 4.0;
        double teacher = onlineTeacher is null ? 0 : ModelMath.TotalParams(onlineTeacher) * 4.0 + 2 * b * s * onlineTeacher.VocabSize * 4.0;
        double total = 16.0 * p + activations + logits + teacher;
        return total > long.MaxValue / 2 ? long.MaxValue / 2 : (long)total;
    }

    /// <summary>Memory this process may use on <paramref name="device"/>; null when unknown (CUDA: not exposed by TorchSharp).</summary>
    public static long? Available(Device device) =>
        device.type == TorchSharp.DeviceType.CPU ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : null;
}

/// <summary>
/// Checks what the run can do, after data and teacher are loaded and before any unit starts, so a sweep never dies
/// mid-way at the same unit on every rerun.  Every problem at once, each naming the config field.
/// </summary>
public static class SweepPreflight
{
    public static List<string> Problems(ExperimentConfig config, IReadOnlyList<SweepUnit> units, long? validationTokens, GptConfig? teacher, int vocabSize, long? availableBytes,
                                        UniqueTokenCount? uniqueTrainTokens = null)
    {
        var p = new List<string>();
        if (uniqueTrainTokens is not null) p.AddRange(RepetitionProblems(config, units, uniqueTrainTokens));
        var methods = config.Methods.Distinct().Select(MethodRegistry.Get).ToList();
        if (teacher is not null)
            foreach (var method in methods) p.AddRange(method.Preflight(config, teacher, vocabSize));
        if (validationTokens is { } val)
            foreach (var (name, spec) in config.Students)
            {
                int ctx = spec.Resolve(vocabSize).ContextLength;
                if (ctx + 1 > val)
                    p.Add($"$.students.{name}.context_length: value {ctx} needs {ctx + 1} validation tokens per window, but the validation split has {val}; lower context_length or raise data.split.validation_fraction.");
            }
        if (availableBytes is { } avail)
            foreach (var g in units.GroupBy(u => u.Student))
            {
                var unit = g.First();
                var online = methods.Any(m => m.LogitUse(config) == TeacherLogitUse.Online) ? teacher : null;
                long need = MemoryEstimate.TrainingBytes(unit.Model, config.Training.BatchSize, online);
                if (need > avail * 0.9)
                    p.Add($"$.students.{g.Key}: needs about {DiskSpace.Bytes(need)} of memory to train ({ModelMath.TotalParams(unit.Model):N0} parameters × 16 bytes for weights, gradients and AdamW moments, "
                          + $"plus activations at batch_size {config.Training.BatchSize}), but {DiskSpace.Bytes(avail)} is available; use a smaller model or lower training.batch_size (raise grad_accum to keep the batch).");
            }
        return p;
    }

    /// <summary>
    /// Budgets that pass over the unique training tokens more than data.max_epochs times.  Muennighoff et al. 2023
    /// ("Scaling Data-Constrained Language Models"): up to about 4 epochs repeated tokens are worth almost as much as
    /// new ones, after which their value decays quickly toward nothing, so a multiplier measured there describes
    /// memorisation.  Students of a method that trains on the synthetic corpus (seq-KD) repeat seq_kd.tokens instead.
    /// </summary>
    public static IEnumerable<string> RepetitionProblems(ExperimentConfig config, IReadOnlyList<SweepUnit> units, UniqueTokenCount unique)
    {
        double max = config.Data.MaxEpochsOrDefault;
        string maxText = max.ToString("R", CultureInfo.InvariantCulture);
        var budgetIndex = config.Budgets.Select((b, i) => (b.Name, i)).ToDictionary(x => x.Name, x => x.i);
        foreach (var g in units.Where(u => u.IsFinishedRun).GroupBy(u => (u.Budget, Synthetic: u.TrainingMethod.TrainsOnSyntheticCorpus)))
        {
            long tokens = g.Max(u => u.EndTokens);
            var (count, what, fix) = g.Key.Synthetic
                ? (new UniqueTokenCount(config.SeqKd.Tokens, true, "seq_kd.tokens"), $"the seq-KD corpus's {config.SeqKd.Tokens:N0} tokens (seq_kd.tokens)", $"raise seq_kd.tokens to at least {(long)Math.Ceiling(tokens / max):N0}")
                : (unique, $"{(unique.Exact ? "" : "at most ")}{unique.Tokens:N0} unique training tokens ({unique.Basis})", $"point data.corpus at a larger corpus (at least {(long)Math.Ceiling(tokens / max):N0} train tokens; README \"Bring your own corpus\")");
            double epochs = count.Epochs(tokens);
            if (epochs <= max) continue;
            string at = budgetIndex.TryGetValue(g.Key.Budget, out var i) ? $"$.budgets[{i}] (\"{g.Key.Budget}\")" : $"budget \"{g.Key.Budget}\"";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{at}: {tokens:N0} training tokens{(g.Key.Synthetic ? " for seq-kd" : "")} are {(count.Exact ? "" : "at least ")}{epochs:F1} epochs over {what}, above data.max_epochs = {maxText} "
                + $"(Muennighoff et al. 2023: beyond about 4 epochs repeated tokens are worth little, so the multiplier would measure memorisation). "
                + $"Fix: {fix}, lower the budget to at most {(long)(count.Tokens * max):N0} tokens, or raise data.max_epochs knowingly.");
        }
    }

    public static void ThrowIfProblems(ExperimentConfig config, IReadOnlyList<SweepUnit> units, PreparedData data, CheckpointInfo? teacher, Device device)
    {
        var problems = Problems(config, units, data.Validation.Count, teacher?.Model, data.VocabSize, MemoryEstimate.Available(device),
                                new UniqueTokenCount(data.Train.Count, true, "the train split"));
        if (problems.Count > 0) throw new UserInputException($"experiment '{config.Name}' cannot run as configured.", problems);
    }
}
