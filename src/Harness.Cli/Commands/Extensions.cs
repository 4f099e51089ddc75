using Harness.Config;
using Harness.Data;
using Harness.Estimation;
using Harness.Evaluation;
using Harness.Reporting;
using Harness.Sweep;
using Spectre.Console;

namespace Harness.Cli.Commands;

/// <summary>Stages wired into `harness run` around training: benchmarks per unit, then estimator and report.</summary>
static class Extensions
{
    /// <summary>Benchmark scoring for each unit (and the teacher), from the config's evaluation section.</summary>
    public static Func<PreparedData, UnitEvaluator>? EvaluatorFactory(ExperimentConfig config)
    {
        if (config.Evaluation.Tasks.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        return data =>
        {
            // Last-word items come from held-out (validation) documents, never from training text.
            var tasks = TaskRegistry.Parse(config.Evaluation.Tasks, data.Split.Validation.Select(d => d.Text).ToList());
            return (model, key, method, step, tokens, isFinal, subset) =>
            {
                var scorer = new GptScorer(model, data.Tokenizer);
                int? maxItems = subset ? config.Evaluation.CurveSubset : config.Evaluation.MaxItems > 0 ? config.Evaluation.MaxItems : null;
                // `subset` marks curve-point scoring; a max_items cap on the final evaluation is not a subset of the curve kind.
                return EvaluationRunner.Run(scorer, tasks, key, method, step, tokens, isFinal, maxItems).Select(r => r with { Subset = subset }).ToList();
            };
        };
    }

    public static (string? Multipliers, string? Report) AfterRun(string resultsDirectory)
    {
        AnsiConsole.MarkupLine("[grey]estimating efficiency multipliers (seed-cluster bootstrap, placebo, all accounting scenarios)…[/]");
        EstimateResult result;
        try
        {
            result = MultiplierEstimator.EstimateResultsFolder(resultsDirectory, new EstimateOptions());
        }
        catch (UserInputException e) when (e.Message.Contains("no treatment runs", StringComparison.Ordinal) || e.Message.Contains("no baseline", StringComparison.OrdinalIgnoreCase))
        {
            // e.g. `--only scratch`: the units are saved; multipliers need both arms.
            AnsiConsole.MarkupLine($"[yellow]multipliers and report skipped[/]: {Markup.Escape(e.Summary)}");
            return (null, null);
        }
        FaultInjection.At(FaultInjection.Points.Estimate);
        var paths = EstimateWriter.Write(result, resultsDirectory);
        EstimateCommand.Print(result, headlineOnly: true);
        AnsiConsole.MarkupLine($"multipliers: {Markup.Escape(paths.Multipliers)}, summary: {Markup.Escape(paths.Summary)}");
        var report = ReportWriter.Write(resultsDirectory);
        AnsiConsole.MarkupLine($"report: {Markup.Escape(report.Html)}");
        return (paths.Multipliers, report.Html);
    }
}
