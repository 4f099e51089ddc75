using Harness.Config;
using Harness.Results;

namespace Harness.Evaluation;

/// <summary>Runs tasks against one model at one point of its training and turns the scores into evals.csv rows.</summary>
public static class EvaluationRunner
{
    /// <param name="point">Curve point or final evaluation: with <paramref name="spec"/> it decides the items per task and
    /// the rows' Subset flag (<see cref="EvaluationPoint.MaxItems"/>), so final and curve scores are never mixed up.</param>
    public static IReadOnlyList<EvalRow> Run(ILanguageModelScorer scorer, IReadOnlyList<IEvaluationTask> tasks, string unitKey, string method,
                                             EvaluationPoint point, EvaluationSpec spec)
    {
        var maxItems = point.MaxItems(spec);
        var rows = new List<EvalRow>();
        foreach (var task in tasks)
            foreach (var score in task.Evaluate(scorer, maxItems))
                rows.Add(new EvalRow
                {
                    UnitKey = unitKey,
                    Method = method,
                    Step = point.Step,
                    Tokens = point.Tokens,
                    IsFinal = point.IsFinal,
                    Task = score.Task,
                    TaskVersion = score.Version,
                    Metric = score.Metric,
                    Value = score.Value,
                    StdErr = score.StdErr,
                    Items = score.Items,
                    Chance = score.Chance,
                    HigherIsBetter = score.HigherIsBetter,
                    Subset = point.IsCurveSubset,
                });
        return rows;
    }
}
