using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Slurm;
using TorchSharp;

namespace Harness.Tests.Sweep;

public class SweepTimeEstimateTests
{
    static readonly string ConfigJson = new TinyExperiment
    {
        Name = "tiny-estimate",
        Budgets = "{ \"name\": \"b\", \"tokens\": 3840 }, { \"name\": \"c\", \"tokens\": 7680 }",
        Training = "\"batch_size\": 8, \"eval_interval\": 10, \"eval_tokens\": 512",
    }.Json;

    static ExperimentConfig Config => JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");

    static RunRow Row(string method, double flops, double seconds, RunRowStatus status = RunRowStatus.Ok) =>
        new() { Method = method, FlopsStudentTrain = flops, WallSeconds = seconds, Status = status };

    [Fact]
    public void Time_is_flops_over_efficiency_times_the_matmul_rate()
    {
        var rate = ComputeRate.Default(10);                       // 0.3 × 10 GFLOP/s = 3e9 FLOP/s
        Assert.Equal(3e9, rate.FlopsPerSecond, 1e-3);
        Assert.Equal(2.0, rate.Seconds(6e9), 12);
        // Calibrated on ok scratch units only: (6e9 + 4e9) FLOPs in (2 + 3) s = 2e9 FLOP/s = 20% of 10 GFLOP/s.
        var finished = new[] { Row("scratch", 6e9, 2), Row("scratch", 4e9, 3), Row("logit-kd", 1e9, 100), Row("scratch", 1e9, 100, RunRowStatus.Failed), Row("scratch", 1e9, 0) };
        var calibrated = ComputeRate.Calibrated(10, finished, out int measured);
        Assert.Equal(2, measured);
        Assert.Equal(0.2, calibrated.Efficiency, 12);
        Assert.Equal(ComputeRate.DefaultEfficiency, ComputeRate.Calibrated(10, [Row("logit-kd", 1e9, 1)], out int none).Efficiency);
        Assert.Equal(0, none);
    }

    [Fact]
    public void The_sweep_estimate_counts_remaining_units_teacher_forwards_evaluation_and_teacher_training()
    {
        var units = SweepPlan.Expand(Config, 300, "", null);
        Assert.Equal(4, units.Count);
        // Pretend each unit also runs 1e9 teacher-forward FLOPs; the first is finished.
        var flops = units.ToDictionary(u => u.Key, u => u.PredictedTrainFlops + 1e9);
        var finished = new HashSet<string> { units[0].Key };
        var estimate = SweepTimeEstimate.For(units, flops, finished, [], teacherTrainFlops: 6e9, matmulGflops: 10);
        Assert.Equal(ComputeRate.DefaultEfficiency, estimate.Rate.Efficiency);
        Assert.Equal(3, estimate.RemainingUnits);
        Assert.Equal(3e9, estimate.TeacherForwardFlopsInUnits, 1e-3);
        double remainingFlops = units.Skip(1).Sum(u => u.PredictedTrainFlops + 1e9);
        Assert.Equal(remainingFlops / 3e9 * 1.10, estimate.UnitSeconds, 9);
        Assert.Equal(2.0, estimate.TeacherSeconds, 12);
        Assert.Equal(estimate.UnitSeconds + 2.0, estimate.TotalSeconds, 12);
        Assert.Equal(0, estimate.SecondsFor(units[0]));
        Assert.Equal(flops[units[1].Key] / 3e9 * 1.10, estimate.SecondsFor(units[1]), 9);
        Assert.Equal(estimate.UnitSeconds, units.Sum(estimate.SecondsFor), 9);
    }

    [Fact]
    public void Slurm_time_auto_uses_the_same_time_model()
    {
        var units = SweepPlan.Expand(Config, 300, "", null);
        Assert.All(units, u => Assert.Equal(ComputeRate.Default(7).Seconds(u.PredictedTrainFlops), TimeEstimate.UnitSeconds(u, 7)));
    }

    [Fact]
    public void Dry_run_plan_takes_the_median_of_five_probes_and_trains_nothing()
    {
        using var tmp = new TempDirectory();
        var runner = new SweepRunner(Config, new SweepOptions { Device = torch.CPU, RepositoryRoot = tmp.Path });
        var probes = new Queue<double>([50, 10, 40, 20, 30]);
        var plan = DryRunPlan.Build(runner, Config, tmp.Path, () => probes.Dequeue());
        Assert.Equal([10.0, 20, 30, 40, 50], plan.MatmulProbes);
        Assert.Equal(30, plan.MatmulGflopsMedian);
        Assert.Equal(30, plan.Estimate.Rate.MatmulGflops);
        Assert.False(plan.KeysProvisional);
        Assert.Equal(4, plan.Units.Count);
        Assert.Empty(plan.Estimate.Finished);
        Assert.Equal(0, plan.Estimate.TeacherTrainFlops);
        Assert.Equal(plan.Units.Sum(u => u.PredictedTrainFlops) / ComputeRate.Default(30).FlopsPerSecond * SweepTimeEstimate.EvaluationOverhead, plan.Estimate.TotalSeconds, 9);
        Assert.False(Directory.Exists(runner.RunDirectory));
    }
}
