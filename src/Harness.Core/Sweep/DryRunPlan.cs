using Harness.Config;
using Harness.IO;
using Harness.Modeling;
using Harness.Perf;

namespace Harness.Sweep;

/// <summary>
/// <c>harness run --dry-run</c>: the units of a sweep, which are finished, and the time the rest needs
/// (<see cref="SweepTimeEstimate"/>), with nothing trained or written.  The matmul rate is the median of five probes
/// (this machine's rate varies from probe to probe).  When the teacher checkpoint is missing the sweep would train it
/// first: its training FLOPs join the estimate, and the KD unit keys (which hash the teacher) are provisional.
/// </summary>
public sealed record DryRunPlan(IReadOnlyList<SweepUnit> Units, bool KeysProvisional, IReadOnlyList<double> MatmulProbes, SweepTimeEstimate Estimate)
{
    /// <summary>Tokens in the prepared train stream: what an epoch is.</summary>
    public long UniqueTrainTokens { get; init; }
    /// <summary>Budgets above data.max_epochs (<see cref="SweepPreflight.RepetitionProblems"/>); `run` refuses them.</summary>
    public IReadOnlyList<string> RepetitionProblems { get; init; } = [];
    /// <summary>Passes over the unique tokens a unit's run makes (seq-KD units: over seq_kd.tokens).</summary>
    public double Epochs(SweepUnit unit, ExperimentConfig config) =>
        (double)unit.EndTokens / Math.Max(1, unit.TrainingMethod.TrainsOnSyntheticCorpus ? config.SeqKd.Tokens : UniqueTrainTokens);

    public const int Probes = 5;

    public double MatmulGflopsMedian => MatmulProbes[MatmulProbes.Count / 2];

    /// <param name="matmulProbe">One matmul-rate probe in GFLOP/s (default: a 1024³ fp32 matmul, 3 repetitions).</param>
    public static DryRunPlan Build(SweepRunner runner, ExperimentConfig config, string repositoryRoot, Func<double>? matmulProbe = null)
    {
        bool provisional = runner.TeacherNeedsTraining;
        // Same refusal as the run itself (TeacherProvider.Load) when there is nothing to train the teacher from, before any work.
        if (provisional && config.Teacher.TrainConfig is null)
            throw new UserInputException($"teacher checkpoint {config.Teacher.Checkpoint} does not exist.",
                [$"$.teacher.checkpoint: \"{config.Teacher.Checkpoint}\" has no {Checkpoint.ConfigFile}; train it with `harness train` or set teacher.train_config so the sweep trains it first."]);
        var data = runner.PrepareData();
        string? hash = null;
        double teacherForward = 0, teacherTrainFlops = 0;
        if (provisional)
        {
            var trainPath = PathNames.ConfigPath(repositoryRoot, config.Teacher.TrainConfig, "$.teacher.train_config");
            var train = JsonConfigReader.ReadFile<TrainRunConfig>(trainPath);
            var model = train.Model.Resolve(data.VocabSize);
            teacherForward = ModelMath.ForwardFlopsPerToken(model);
            teacherTrainFlops = train.Training.TotalSteps(model.ContextLength) * (double)train.Training.TokensPerStep(model.ContextLength) * ModelMath.TrainFlopsPerToken(model);
        }
        else
        {
            var (teacher, info, h, _) = runner.LoadTeacher(data);
            teacher?.Dispose();
            hash = h;
            if (info is not null) teacherForward = ModelMath.ForwardFlopsPerToken(info.Model);
        }
        var units = runner.Units(data, hash);
        var folder = new RunFolder(runner.RunDirectory);
        var finished = units.Where(u => folder.IsFinished(u.Key)).Select(u => u.Key).ToHashSet();

        matmulProbe ??= () => StepBenchmark.MatmulGflops(n: 1024, reps: 3);
        var probes = Enumerable.Range(0, Probes).Select(_ => matmulProbe()).Order().ToList();
        var estimate = SweepTimeEstimate.For(units, SweepCost.Flops(units, config, teacherForward), finished,
                                             finished.Select(folder.ReadUnitRow), teacherTrainFlops, probes[Probes / 2]);
        return new DryRunPlan(units, provisional, probes, estimate)
        {
            UniqueTrainTokens = data.Train.Count,
            RepetitionProblems = SweepPreflight.RepetitionProblems(config, units, new Data.UniqueTokenCount(data.Train.Count, true, "the train split")).ToList(),
        };
    }
}
