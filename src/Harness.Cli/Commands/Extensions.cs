using Harness.Config;
using Harness.Data;
using Harness.Estimation;
using Harness.Sweep;
using Spectre.Console;

namespace Harness.Cli.Commands;

/// <summary>Stages wired into `harness run` after training: benchmarks, estimator, report.</summary>
static class Extensions
{
    public static Func<PreparedData, UnitEvaluator>? EvaluatorFactory(ExperimentConfig config) => null;

    public static void AfterRun(string resultsDirectory)
    {
        AnsiConsole.MarkupLine("[grey]estimating efficiency multipliers (bootstrap, all accounting scenarios)…[/]");
        var result = MultiplierEstimator.EstimateResultsFolder(resultsDirectory, new EstimateOptions());
        var (multipliers, _) = EstimateWriter.Write(result, resultsDirectory);
        EstimateCommand.Print(result);
        AnsiConsole.MarkupLine($"multipliers: {Markup.Escape(multipliers)}");
    }
}
