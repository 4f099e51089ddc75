namespace Harness.Estimation;

/// <summary>One loss observation for the L(N, D) fit: non-embedding parameters, training tokens, loss.</summary>
public readonly record struct ScalingPoint(double Params, double Tokens, double Loss);

/// <summary>
/// Chinchilla form (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", Approach 3):
/// L(N, D) = E + A / N^α + B / D^β.
/// </summary>
public sealed record ChinchillaLaw(double E, double A, double B, double Alpha, double Beta)
{
    public double Predict(double n, double d) => E + A / Math.Pow(n, Alpha) + B / Math.Pow(d, Beta);

    /// <summary>
    /// Tokens D a model with <paramref name="n"/> parameters needs to reach <paramref name="loss"/>:
    /// D = (B / (L − E − A/N^α))^(1/β); +∞ when L is at or below that size's asymptote E + A/N^α.
    /// </summary>
    public double TokensToReach(double n, double loss)
    {
        var remaining = loss - E - A / Math.Pow(n, Alpha);
        return remaining <= 0 ? double.PositiveInfinity : Math.Pow(B / remaining, 1 / Beta);
    }
}
