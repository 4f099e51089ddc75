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
    public static List<string> Problems(ExperimentConfig config, IReadOnlyList<SweepUnit> units, int? validationTokens, GptConfig? teacher, int vocabSize, long? availableBytes)
    {
        var p = new List<string>();
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

    public static void ThrowIfProblems(ExperimentConfig config, IReadOnlyList<SweepUnit> units, PreparedData data, CheckpointInfo? teacher, Device device)
    {
        var problems = Problems(config, units, data.Validation.Count, teacher?.Model, data.VocabSize, MemoryEstimate.Available(device));
        if (problems.Count > 0) throw new UserInputException($"experiment '{config.Name}' cannot run as configured.", problems);
    }
}
