using Harness.Config;
using Harness.Data;

namespace Harness.Evaluation;

/// <summary>The benchmark scoring a sweep installs for its units and its teacher, from the config's evaluation section.</summary>
public static class BenchmarkEvaluator
{
    /// <summary>Null when <c>evaluation.tasks</c> is "none" (the sweep then scores no benchmarks).</summary>
    public static Func<PreparedData, UnitEvaluator>? Factory(EvaluationSpec spec)
    {
        if (spec.Tasks.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        return data =>
        {
            // Last-word items come from held-out (validation) documents, never from training text.
            var tasks = TaskRegistry.Parse(spec.Tasks, data.Split.Validation.Select(d => d.Text).ToList(), standard: EvaluationOptions.Standard(spec));
            // Standard tasks share each item's context across its choices: group those requests (the harness's own tasks keep their batch order).
            bool group = TaskRegistry.HasStandardTask(spec.Tasks);
            return (model, unitKey, method, point) => EvaluationRunner.Run(new GptScorer(model, data.Tokenizer) { GroupByContext = group }, tasks, unitKey, method, point, spec);
        };
    }
}
