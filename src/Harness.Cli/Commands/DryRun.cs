using System.Globalization;
using Harness.Config;
using Harness.Modeling;
using Harness.Sweep;
using Spectre.Console;

namespace Harness.Cli.Commands;

/// <summary><c>harness run --dry-run</c>: prints the plan and time estimate of <see cref="DryRunPlan"/> (table or JSON).</summary>
static class DryRun
{
    public static int Print(DryRunPlan plan, string runDirectory, ExperimentConfig config, OutputFormat format)
    {
        var units = plan.Units;
        var estimate = plan.Estimate;
        var finished = estimate.Finished;
        bool provisional = plan.KeysProvisional;
        if (provisional)
            AnsiConsole.MarkupLine("[yellow]the teacher checkpoint is missing: `harness run` will train it first (KD unit keys below are provisional).[/]");
        var probes = plan.MatmulProbes;
        double gflops = plan.MatmulGflopsMedian;
        double efficiency = estimate.Rate.Efficiency;
        int measured = estimate.EfficiencyMeasuredOnUnits;
        string calibration = measured > 0
            ? $"efficiency {efficiency:P0} of the matmul rate, measured on {measured} finished scratch unit(s) of this run"
            : $"efficiency {efficiency:P0} of the matmul rate (default for small CPU models; calibrated from finished units once there are some)";
        double UnitFlops(SweepUnit u) => estimate.UnitFlops[u.Key];
        double teacherTrainFlops = estimate.TeacherTrainFlops, teacherInUnits = estimate.TeacherForwardFlopsInUnits;
        double unitSeconds = estimate.UnitSeconds, teacherSeconds = estimate.TeacherSeconds, total = estimate.TotalSeconds;

        if (format == OutputFormat.Json)
        {
            Output.WriteJson(new
            {
                Directory = runDirectory,
                UniqueTrainTokens = plan.UniqueTrainTokens, MaxEpochs = config.Data.MaxEpochsOrDefault, RepetitionProblems = plan.RepetitionProblems,
                UnitsTotal = units.Count, UnitsFinished = finished.Count, KeysProvisional = provisional,
                MatmulGflopsMedian = gflops, MatmulGflopsProbes = probes, Efficiency = efficiency, EfficiencyMeasuredOnUnits = measured,
                TeacherTrainFlops = teacherTrainFlops, TeacherForwardFlopsInUnits = teacherInUnits,
                EstimatedSeconds = new { Units = unitSeconds, TeacherTraining = teacherSeconds, Total = total },
                Units = units.Select(u => new
                {
                    u.Index, u.Key, u.Method, u.Student, u.Budget, Role = u.Role.ToString().ToLowerInvariant(), u.TrunkKey, u.StartStep, u.Steps,
                    Tokens = u.EndTokens, u.OwnTokens, u.Seed, ParamsNonEmbedding = ModelMath.NonEmbeddingParams(u.Model),
                    Flops = UnitFlops(u), Epochs = plan.Epochs(u, config), Finished = finished.Contains(u.Key), EstimatedSeconds = estimate.SecondsFor(u),
                }),
            });
            return 0;
        }
        var table = new Table().Title($"{units.Count} units → {Markup.Escape(runDirectory)}")
            .AddColumns("#", "key", "method", "student", "params (non-emb)", "budget", "role", "tokens", "epochs", "steps", "seed", "own FLOPs", "finished-run FLOPs", "est. time");
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
                plan.Epochs(u, config).ToString("F2", CultureInfo.InvariantCulture),
                u.StartStep > 0 ? $"{u.StartStep}→{u.Steps}" : $"{u.Steps}", $"{u.Seed}",
                UnitFlops(u).ToString("E2", CultureInfo.InvariantCulture), u.IsFinishedRun ? u.FinishedRunFlops.ToString("E2", CultureInfo.InvariantCulture) : "(not a run)",
                done ? "[green]done[/]" : $"{estimate.SecondsFor(u):F0} s");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"data: {plan.UniqueTrainTokens:N0} unique training tokens (an epoch); data.max_epochs = {config.Data.MaxEpochsOrDefault.ToString("R", CultureInfo.InvariantCulture)} (Muennighoff et al. 2023)");
        foreach (var problem in plan.RepetitionProblems)
            AnsiConsole.MarkupLine($"[red]refused by run:[/] {Markup.Escape(problem)}");
        var totals = ComputeTotals.Predict(units);
        AnsiConsole.MarkupLine($"student compute: {totals.TokensSpent:N0} tokens = {totals.StudentTrainFlopsSpent:E3} FLOPs spent for {totals.FinishedRuns} finished runs " +
                               $"(as separate runs: {totals.FinishedRunTokens:N0} tokens = {totals.FinishedRunStudentTrainFlops:E3} FLOPs" +
                               (units.Any(u => u.Role != UnitRole.Run) ? $"; shared WSD trunks save {totals.SharingFactor:F2}×)" : ")"));
        AnsiConsole.MarkupLine($"estimated time: [bold]{total / 60:F1} min[/] = units {unitSeconds / 60:F1} min ({estimate.RemainingUnits} to run, {finished.Count} finished; " +
                               $"incl. {teacherInUnits:E2} teacher-forward FLOPs (online KD and the logit-cache fill) and +10% evaluation)" +
                               (teacherSeconds > 0 ? $" + teacher training {teacherSeconds / 60:F1} min" : ""));
        AnsiConsole.MarkupLine($"[grey]matmul probe median {gflops:F0} GFLOP/s (5 probes: {string.Join(", ", probes.Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))}); {calibration}. " +
                               "Another process on the same cores slows this down several-fold.[/]");
        return 0;
    }
}
