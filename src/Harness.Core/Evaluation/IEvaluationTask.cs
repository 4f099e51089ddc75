namespace Harness.Evaluation;

/// <summary>One metric of one task.  <paramref name="Chance"/> is the score of a uniform random guesser.</summary>
public sealed record TaskScore(string Task, int Version, string Metric, double Value, double StdErr, int Items, double Chance, bool HigherIsBetter);

/// <summary>A benchmark: versioned items plus the rule that turns a scorer's answers into metrics.</summary>
public interface IEvaluationTask
{
    /// <summary>Registry name (lower-case, underscores), e.g. "grammar", "arithmetic_2d".</summary>
    string Name { get; }

    /// <summary>Bumped whenever items or scoring change, so scores of different versions are never compared.</summary>
    int Version { get; }

    /// <summary>Metric names this task reports.</summary>
    IReadOnlyList<string> Metrics { get; }

    /// <summary>Number of items when evaluated in full.</summary>
    int ItemCount { get; }

    /// <summary>
    /// Scores the task.  <paramref name="maxItems"/> selects a cheap subset for curve points: the first N items of a
    /// fixed (task-seeded) shuffle, so every checkpoint of every run sees the same subset.
    /// </summary>
    IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems);
}
