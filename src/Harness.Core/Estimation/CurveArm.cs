using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// A compute-only law for an arm, fitted on all its (compute, value) points: L(C) = E + A·C^(−α) for losses (Kaplan et
/// al. 2020) or the sigmoid of <see cref="SigmoidLaw"/> for scores (Owen 2024).  Used for benchmark scores and for
/// external tables without sizes and tokens; the same rule fits both arms.
/// </summary>
internal sealed class CurveArm
{
    public PowerLaw? Power { get; init; }
    public SigmoidLaw? Sigmoid { get; init; }
    public double MinCompute { get; init; }
    public double MaxCompute { get; init; }
    public int Points { get; init; }

    public static CurveArm? Fit(IReadOnlyList<MetricPoint> points, MetricKind kind, double chance, out string? reason)
    {
        var data = points.Where(p => p.Flops.StudentTrain > 0 && double.IsFinite(p.Value)).Select(p => (p.Flops.StudentTrain, p.Value)).ToList();
        var needed = kind == MetricKind.Score && !double.IsFinite(chance) ? 4 : 3;
        if (data.Count < needed || data.Select(d => d.StudentTrain).Distinct().Count() < 2)
        {
            reason = $"{data.Count} point(s); the {(kind == MetricKind.Loss ? "power-law" : "sigmoid")} curve needs at least {needed} at 2 or more compute values";
            return null;
        }
        reason = null;
        var min = data.Min(d => d.StudentTrain);
        var max = data.Max(d => d.StudentTrain);
        if (kind == MetricKind.Loss)
        {
            var theta = ScalingLawFitter.FitPowerLawTheta(data, ScalingLawFitter.PowerLawStarts(data), 8);
            return new CurveArm { Power = ScalingLawFitter.PowerLawFromTheta(theta), MinCompute = min, MaxCompute = max, Points = data.Count };
        }
        var cap = SigmoidFitter.PerfectScore(data.Select(d => d.Value), chance);
        return new CurveArm { Sigmoid = SigmoidFitter.Fit(data, chance, cap), MinCompute = min, MaxCompute = max, Points = data.Count };
    }

    public double Predict(double c) => Power?.Predict(c) ?? Sigmoid!.Predict(c);

    public double ComputeToReach(double y) => Power?.ComputeToReach(y) ?? Sigmoid!.ComputeToReach(y);

    public bool Supports(double c) => c >= MinCompute / 1.02 && c <= MaxCompute * 1.02;

    public FittedLaw ToFitted() => Power is { } p ? FittedLaws.ToFitted(p) : FittedLaws.ToFitted(Sigmoid!);
}
