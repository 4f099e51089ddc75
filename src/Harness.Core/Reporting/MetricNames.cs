namespace Harness.Reporting;

/// <summary>Metric names appear as <c>arc_easy/acc</c>, <c>arc_easy:acc</c> or <c>arc_easy.acc</c>; compare them in one form.</summary>
public static class MetricNames
{
    public static string Normalise(string metric) => metric.Trim().ToLowerInvariant().Replace(':', '/');

    public static string ForTask(string task, string metric) => Results.ResultMetrics.ForTask(task, metric);

    /// <summary>True for validation loss-like metrics, where lower is better.</summary>
    public static bool LowerIsBetter(string metric) => Normalise(metric) is Results.ResultMetrics.ValLoss or Results.ResultMetrics.ValBpb or "loss" or "bpb";
}
