using Harness.Evaluation;
using Harness.Results;

namespace Harness.Pipelines;

/// <summary>The scores (evals.csv rows) and every request with the model's answer.</summary>
public sealed record ReevaluationResult(IReadOnlyList<EvalRow> Rows, IReadOnlyList<SampleRecord> Samples);
