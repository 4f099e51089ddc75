using Harness.Config;
using Harness.Data;
using Harness.Sweep;

namespace Harness.Cli.Commands;

/// <summary>Stages wired into `harness run` after training: benchmarks, estimator, report.</summary>
static class Extensions
{
    public static Func<PreparedData, UnitEvaluator>? EvaluatorFactory(ExperimentConfig config) => null;

    public static void AfterRun(string resultsDirectory) { }
}
