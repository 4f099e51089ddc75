using Harness.Modeling;
using Harness.Results;

namespace Harness.Evaluation;

/// <summary>
/// Scores a model on the configured benchmark tasks at one point of a unit's training (<paramref name="point"/> says
/// whether it is a curve point or the final evaluation, and so how many items are scored).
/// </summary>
public delegate IReadOnlyList<EvalRow> UnitEvaluator(CausalLm model, string unitKey, string method, EvaluationPoint point);
