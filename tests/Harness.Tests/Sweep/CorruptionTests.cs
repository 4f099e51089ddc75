using Harness.Distillation;
using Harness.Modeling;
using Harness.Sweep;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using Harness.IO;

namespace Harness.Tests.Sweep;

/// <summary>Corrupted caches, checkpoints and teacher files: detected, refilled or refused with a clear message.</summary>
public class CorruptionTests
{
    static string SaveModel(out Gpt model)
    {
        var dir = Path.Combine(TestSupport.TempDirectory(), "m");
        torch.manual_seed(3);
        var shape = TestSupport.TinyModel(64);
        model = new Gpt(shape);
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = shape });
        return dir;
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("length")]
    [InlineData("truncate")]
    public void A_corrupted_safetensors_file_is_refused_with_file_field_and_fix(string damage)
    {
        var dir = SaveModel(out var model);
        model.Dispose();
        var path = Path.Combine(dir, Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "flip": bytes[10] ^= 0xFF; bytes[11] ^= 0xFF; break;
            case "length": BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)bytes.Length * 2); break;
            case "truncate": bytes = bytes[..(bytes.Length - 100)]; break;
        }
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<UserInputException>(() => Checkpoint.Load(dir));
        Assert.Contains("not a valid safetensors file", e.Summary);
        Assert.Contains(e.Problems, p => p.Contains(path) && (p.Contains("offset") || p.Contains("header") || p.Contains("data_offsets")));
        Assert.Contains(e.Problems, p => p.Contains("harness train") && p.Contains("restore"));
    }

    [Fact]
    public void NaN_weights_are_refused_at_load()
    {
        var dir = SaveModel(out var model);
        using (torch.no_grad()) { using var nan = double.NaN.ToScalar(); model.parameters().First().fill_(nan); }
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = model.Config });
        model.Dispose();
        var e = Assert.Throws<UserInputException>(() => Checkpoint.Load(dir));
        Assert.Contains("non-finite", e.Summary);
        Assert.Contains(e.Problems, p => p.Contains("NaN"));
    }

    [Fact]
    public void Cache_windows_with_zeroed_data_or_bad_ids_are_refilled_not_used()
    {
        torch.manual_seed(5);
        var shape = TestSupport.TinyModel(64);
        using var teacher = new Gpt(shape);
        var stream = TestSupport.PatternStream(16 * 20 + 1, 64);
        var path = Path.Combine(TestSupport.TempDirectory(), "cache.bin");
        var sampler = new BatchSampler(stream, 4, 16, 1, alignToContext: true);
        var starts = sampler.Starts(0);
        var (x, y) = sampler.Batch(starts, torch.CPU);
        var batch = new TrainingBatch(x, y, starts, 0);
        float[] first;
        using (var cache = new TeacherLogitCache(path, teacher, stream.Length, 8))
        {
            var (ids, lp) = cache.Lookup(batch, torch.CPU);
            first = lp.data<float>().ToArray();
            Assert.Equal(starts.Select(st => st / 16).Distinct().Count(), cache.FilledWindows);
        }
        // Zero one window's entries (its flag stays set) and write an out-of-range id into another.
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            long windows = (stream.Length - 1) / 16, entries = 64 + windows * 16;
            long perWindow = 16 * 8 * 4;
            long w0 = starts[0] / 16, w1 = starts.Select(st => st / 16).First(w => w != w0);
            f.Position = entries + w0 * perWindow;
            f.Write(new byte[perWindow]);
            f.Position = entries + w1 * perWindow;
            f.Write(BitConverter.GetBytes((ushort)60000));
        }
        using (var cache = new TeacherLogitCache(path, teacher, stream.Length, 8))
        {
            var (_, lp) = cache.Lookup(batch, torch.CPU);
            Assert.Equal(first, lp.data<float>().ToArray());
            Assert.Equal(2, cache.RefilledWindows);
        }
        // A file with a damaged header is replaced, not trusted.
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) f.Write(new byte[8]);
        using (var cache = new TeacherLogitCache(path, teacher, stream.Length, 8)) Assert.Equal(0, cache.FilledWindows);
    }

    [Fact]
    public void A_checkpoint_folder_killed_between_writes_is_never_loaded_and_a_mismatched_set_is_refused()
    {
        var dir = TestSupport.TempDirectory();
        var shape = TestSupport.TinyModel(64);
        var stream = TestSupport.PatternStream(4000, 64);
        Trainer Make(Gpt m) => new(m, new TrainingConfig { BatchSize = 4, MaxSteps = 12, EvalInterval = 6, EvalTokens = 64, CheckpointInterval = 4, WarmupSteps = 1, LogInterval = 1 },
            new BatchSampler(stream, 4, 16, 1), new LossEvaluator(stream, TestSupport.UnitByteLengths(64), 16, 64), new CrossEntropyObjective(), torch.CPU);
        torch.manual_seed(1);
        using var m1 = new Gpt(shape);
        // Checkpoints at 4 and 8; the write at 8 is "killed" between the weight and optimiser files.
        using (FaultInjection.Use("throw@checkpoint-between-files#2"))
            Assert.ThrowsAny<System.Runtime.InteropServices.ExternalException>(() => Make(m1).Run(dir));
        Assert.Equal("step-00000004", File.ReadAllText(Path.Combine(dir, "current")));
        Assert.Equal(["step-00000004"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        torch.manual_seed(1);
        using var m2 = new Gpt(shape);
        var resumed = Make(m2).Run(dir);
        Assert.True(resumed.Resumed);
        torch.manual_seed(1);
        using var m3 = new Gpt(shape);
        var straight = Make(m3).Run();
        Assert.Equal(straight.Curve.Select(p => p.ValLoss), resumed.Curve.Select(p => p.ValLoss));

        // A weight file that is not the one resume.json was written with: refused (the run starts over).
        var folder = Path.Combine(dir, File.ReadAllText(Path.Combine(dir, "current")));
        File.AppendAllText(Path.Combine(folder, "resume-model.safetensors"), "x");
        torch.manual_seed(1);
        using var m4 = new Gpt(shape);
        Assert.False(Make(m4).Run(dir).Resumed);
    }

    [Fact]
    public void Shards_are_balanced_by_predicted_flops_and_mix_methods()
    {
        var config = Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>("""
        { "name": "x", "teacher": { "checkpoint": "t" }, "students": { "a": { "preset": "pico" }, "b": { "preset": "mini" } },
          "budgets": [ { "name": "b1", "tokens": 100000 }, { "name": "b2", "tokens": 300000 } ], "methods": ["scratch", "logit-kd"], "seeds": [1, 2] }
        """, "x.json");
        var units = SweepPlan.Expand(config, 1024, "d", "t");
        var shards = new[] { SweepPlan.Shard(units, "1/2"), SweepPlan.Shard(units, "2/2") };
        Assert.Equal(units.Select(u => u.Key).Order(), shards.SelectMany(s => s).Select(u => u.Key).Order());
        var loads = shards.Select(s => s.Sum(SweepPlan.PredictedCost)).ToArray();
        Assert.True(Math.Abs(loads[0] - loads[1]) / loads.Max() < 0.1, $"loads {loads[0]:E2} vs {loads[1]:E2}");
        Assert.All(shards, s => Assert.Contains(s, u => u.Method == "logit-kd"));
        Assert.All(shards, s => Assert.Contains(s, u => u.Method == "scratch"));
    }
}
