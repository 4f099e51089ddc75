namespace Harness.Results;

/// <summary>Metric names of the result files: the validation losses of curves.csv and <c>task/metric</c> for evals.csv rows.</summary>
public static class ResultMetrics
{
    /// <summary>Validation loss, nats per token (curves.csv val_loss).</summary>
    public const string ValLoss = "val_loss";
    /// <summary>Validation bits per UTF-8 byte (curves.csv val_bpb).</summary>
    public const string ValBpb = "val_bpb";
    /// <summary>Per-task continuous loss: mean −ln p(correct choice) over items (Evaluation/EvaluationMetrics.cs).</summary>
    public const string TaskLoss = "task_loss";

    /// <summary>The name of an evals.csv metric: <c>task/metric</c>.</summary>
    public static string ForTask(string task, string metric) => $"{task}/{metric}";

    /// <summary>Metric names appear as <c>arc_easy/acc</c>, <c>arc_easy:acc</c> or <c>arc_easy.acc</c>; compare them in one form.</summary>
    public static string Normalise(string metric) => metric.Trim().ToLowerInvariant().Replace(':', '/');

    /// <summary>True for validation loss-like metrics, where lower is better.</summary>
    public static bool LowerIsBetter(string metric) => Normalise(metric) is ValLoss or ValBpb or "loss" or "bpb";
}
