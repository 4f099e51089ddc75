namespace Harness.Estimation;

/// <summary>
/// Compute-only frontier L(C) = E + A·C^(−α) (Kaplan et al. 2020, "Scaling Laws for Neural Language Models"; the same
/// form Hoffmann et al. 2022 derive for the compute-optimal envelope of L(N, D)).
/// </summary>
public sealed record PowerLaw(double E, double A, double Alpha)
{
    public double Predict(double c) => E + A * Math.Pow(c, -Alpha);

    /// <summary>C(y) = (A / (y − E))^(1/α); +∞ when y is at or below the asymptote E (never reached).</summary>
    public double ComputeToReach(double y)
    {
        var remaining = y - E;
        return remaining <= 0 ? double.PositiveInfinity : Math.Pow(A / remaining, 1 / Alpha);
    }
}
