using Harness.Results;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>A unit that hit internal errors: how many retries it took and how it ended.</summary>
public sealed record UnitAttemptRecord(string Key, int Retries, string Status, IReadOnlyList<string> Errors, bool Exhausted);

/// <summary>
/// Runs a unit, retrying internal errors (native exceptions from libtorch, CUDA errors, anything that is not the
/// user's input) up to <c>run.retries</c> times; each attempt resumes from the unit's last checkpoint.  User errors
/// (<see cref="UserInputException"/>: bad config or data, a full disk) and cancellation stop the sweep; a unit that
/// keeps failing becomes a "failed" row with the last error as its reason, and the sweep goes on.
/// </summary>
public static class UnitRetry
{
    public static bool IsInternal(Exception e) => e is not (UserInputException or OperationCanceledException or TrainingDivergedException);

    public static (RunRow Row, UnitAttemptRecord? Record) Run(SweepUnit unit, int retries, Func<int, RunRow> attempt, CancellationToken cancellation)
    {
        var errors = new List<string>();
        for (int i = 0; ; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                var row = attempt(i);
                return (row, errors.Count == 0 ? null : new UnitAttemptRecord(unit.Key, errors.Count, row.Status.OnDisk(), errors, false));
            }
            catch (Exception e) when (IsInternal(e))
            {
                errors.Add($"{e.GetType().Name}: {FirstLine(e.Message)}");
                if (i < retries) continue;
                var reason = $"internal error after {i + 1} attempt(s): {errors[^1]}";
                var row = new RunRow
                {
                    UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                    Layers = unit.Model.Layers, DModel = unit.Model.DModel,
                    ParamsTotal = Modeling.ModelMath.TotalParams(unit.Model), ParamsNonEmbedding = Modeling.ModelMath.NonEmbeddingParams(unit.Model),
                    ValLoss = double.NaN, ValBitsPerByte = double.NaN, Status = RunRowStatus.Failed, FailureReason = reason,
                };
                return (row, new UnitAttemptRecord(unit.Key, errors.Count - 1, "failed", errors, true));
            }
        }
    }

    static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
