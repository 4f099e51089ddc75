using Harness.Results;

namespace Harness.Evaluation;

/// <summary>Runs tasks against one model at one point of its training and turns the scores into evals.csv rows.</summary>
public static class EvaluationRunner
{
    /// <param name="maxItems">Null: every item (final evaluation).  A number: the fixed cheap subset used along the curve
    /// (rows get Subset = true, so final and curve scores are never mixed up).</param>
    public static IReadOnlyList<EvalRow> Run(ILanguageModelScorer scorer, IReadOnlyList<IEvaluationTask> tasks, string unitKey, string method,
                                             int step, long tokens, bool isFinal, int? maxItems)
    {
        var rows = new List<EvalRow>();
        foreach (var task in tasks)
            foreach (var score in task.Evaluate(scorer, maxItems))
                rows.Add(new EvalRow
                {
                    UnitKey = unitKey,
                    Method = method,
                    Step = step,
                    Tokens = tokens,
                    IsFinal = isFinal,
                    Task = score.Task,
                    TaskVersion = score.Version,
                    Metric = score.Metric,
                    Value = score.Value,
                    StdErr = score.StdErr,
                    Items = score.Items,
                    Chance = score.Chance,
                    HigherIsBetter = score.HigherIsBetter,
                    Subset = maxItems is not null,
                });
        return rows;
    }
}
