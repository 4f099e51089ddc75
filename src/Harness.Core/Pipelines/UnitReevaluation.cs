using Harness.Results;

namespace Harness.Pipelines;

public enum UnitReevaluationStatus
{
    /// <summary>The unit has no saved model (units/KEY/model), so it cannot be scored again.</summary>
    NoSavedModel,
    /// <summary>Scored; its rows are written.</summary>
    Evaluated,
}

/// <summary>One unit of a results folder, scored or skipped.</summary>
public sealed record UnitReevaluation(string UnitKey, RunRow Unit, UnitReevaluationStatus Status);
