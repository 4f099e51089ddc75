using System.Globalization;
using Harness.Config;
using Harness.Modeling;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness run --dry-run</c>: the unit table and a time estimate from FLOPs.  Time = FLOPs ÷ (efficiency × measured
/// matmul rate), the rate the median of five probes.  Efficiency is calibrated from this run's finished units when there
/// are any (their measured training FLOP/s), else 0.3 (small CPU models; README "Performance").  Finished units count as
/// done; the estimate adds teacher training (when its checkpoint is missing), the teacher forwards of online KD and of
/// the teacher-logit cache fill (<see cref="SweepCost"/>) and held-out/benchmark evaluation (+10 %).
/// </summary>
static class DryRun
{
    const double DefaultEfficiency = 0.3;
    const double EvaluationOverhead = 1.10;

    public static int Print(SweepRunner runner, ExperimentConfig config, OutputFormat format)
    {
        var data = runner.PrepareData();
        string? hash = null;
        double teacherForward = 0, teacherTrainFlops = 0;
        bool provisional = runner.TeacherNeedsTraining;
        if (provisional)
        {
            var trainPath = RepositoryPaths.Resolve(config.Teacher.TrainConfig!);
            var train = JsonConfigReader.ReadFile<TrainRunConfig>(trainPath);
            var model = train.Model.Resolve(data.VocabSize);
            teacherForward = ModelMath.ForwardFlopsPerToken(model);
            teacherTrainFlops = train.Training.TotalSteps(model.ContextLength) * (double)train.Training.TokensPerStep(model.ContextLength) * ModelMath.TrainFlopsPerToken(model);
            AnsiConsole.MarkupLine("[yellow]the teacher checkpoint is missing: `harness run` will train it first (KD unit keys below are provisional).[/]");
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

        var probes = Enumerable.Range(0, 5).Select(_ => StepBenchmark.MatmulGflops(n: 1024, reps: 3)).Order().ToList();
        double gflops = probes[2];
        var measured = finished.Select(folder.ReadUnitRow).Where(r => r.Status == RunRowStatus.Ok && r.Method == "scratch" && r.WallSeconds > 0).ToList();
        double efficiency = measured.Count > 0 ? measured.Sum(r => r.FlopsStudentTrain) / measured.Sum(r => r.WallSeconds) / (gflops * 1e9) : DefaultEfficiency;
        string calibration = measured.Count > 0
            ? $"efficiency {efficiency:P0} of the matmul rate, measured on {measured.Count} finished scratch unit(s) of this run"
            : $"efficiency {efficiency:P0} of the matmul rate (default for small CPU models; calibrated from finished units once there are some)";
        double rate = efficiency * gflops * 1e9;

        var predicted = SweepCost.Flops(units, config, teacherForward);
        double UnitFlops(SweepUnit u) => predicted[u.Key];
        var remaining = units.Where(u => !finished.Contains(u.Key)).ToList();
        double teacherInUnits = remaining.Sum(u => predicted[u.Key] - u.PredictedTrainFlops);
        double unitSeconds = remaining.Sum(u => UnitFlops(u)) / rate * EvaluationOverhead;
        double teacherSeconds = teacherTrainFlops / rate;
        double total = unitSeconds + teacherSeconds;

        if (format == OutputFormat.Json)
        {
            Output.WriteJson(new
            {
                Directory = runner.RunDirectory,
                UnitsTotal = units.Count, UnitsFinished = finished.Count, KeysProvisional = provisional,
                MatmulGflopsMedian = gflops, MatmulGflopsProbes = probes, Efficiency = efficiency, EfficiencyMeasuredOnUnits = measured.Count,
                TeacherTrainFlops = teacherTrainFlops, TeacherForwardFlopsInUnits = teacherInUnits,
                EstimatedSeconds = new { Units = unitSeconds, TeacherTraining = teacherSeconds, Total = total },
                Units = units.Select(u => new
                {
                    u.Index, u.Key, u.Method, u.Student, u.Budget, Role = u.Role.ToString().ToLowerInvariant(), u.TrunkKey, u.StartStep, u.Steps,
                    Tokens = u.EndTokens, u.OwnTokens, u.Seed, ParamsNonEmbedding = ModelMath.NonEmbeddingParams(u.Model),
                    Flops = UnitFlops(u), Finished = finished.Contains(u.Key), EstimatedSeconds = finished.Contains(u.Key) ? 0 : UnitFlops(u) / rate * EvaluationOverhead,
                }),
            });
            return 0;
        }
        var table = new Table().Title($"{units.Count} units → {Markup.Escape(runner.RunDirectory)}")
            .AddColumns("#", "key", "method", "student", "params (non-emb)", "budget", "role", "tokens", "steps", "seed", "own FLOPs", "finished-run FLOPs", "est. time");
        foreach (var u in units)
        {
            bool done = finished.Contains(u.Key);
            string role = u.Role switch
            {
                UnitRole.Trunk => $"trunk, forks at {string.Join(",", u.ForkSteps)}",
                UnitRole.Branch => $"branch of #{units.FirstOrDefault(t => t.Key == u.TrunkKey)?.Index.ToString(CultureInfo.InvariantCulture) ?? u.TrunkKey}",
                _ => "run",
            };
            table.AddRow($"{u.Index}", u.Key, u.Method, u.Student, $"{ModelMath.NonEmbeddingParams(u.Model):N0}", Markup.Escape(u.Budget), Markup.Escape(role), $"{u.EndTokens:N0}",
                u.StartStep > 0 ? $"{u.StartStep}→{u.Steps}" : $"{u.Steps}", $"{u.Seed}",
                UnitFlops(u).ToString("E2", CultureInfo.InvariantCulture), u.IsFinishedRun ? u.FinishedRunFlops.ToString("E2", CultureInfo.InvariantCulture) : "(not a run)",
                done ? "[green]done[/]" : $"{UnitFlops(u) / rate * EvaluationOverhead:F0} s");
        }
        AnsiConsole.Write(table);
        var totals = ComputeTotals.Predict(units);
        AnsiConsole.MarkupLine($"student compute: {totals.TokensSpent:N0} tokens = {totals.StudentTrainFlopsSpent:E3} FLOPs spent for {totals.FinishedRuns} finished runs " +
                               $"(as separate runs: {totals.FinishedRunTokens:N0} tokens = {totals.FinishedRunStudentTrainFlops:E3} FLOPs" +
                               (units.Any(u => u.Role != UnitRole.Run) ? $"; shared WSD trunks save {totals.SharingFactor:F2}×)" : ")"));
        AnsiConsole.MarkupLine($"estimated time: [bold]{total / 60:F1} min[/] = units {unitSeconds / 60:F1} min ({remaining.Count} to run, {finished.Count} finished; " +
                               $"incl. {teacherInUnits:E2} teacher-forward FLOPs (online KD and the logit-cache fill) and +10% evaluation)" +
                               (teacherSeconds > 0 ? $" + teacher training {teacherSeconds / 60:F1} min" : ""));
        AnsiConsole.MarkupLine($"[grey]matmul probe median {gflops:F0} GFLOP/s (5 probes: {string.Join(", ", probes.Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))}); {calibration}. " +
                               "Another process on the same cores slows this down several-fold.[/]");
        return 0;
    }
}
