namespace Harness.Tests.Estimation;

/// <summary>Temp folders and seeded noise for estimator tests (planted-truth folders come from <see cref="Harness.Estimation.SyntheticGrid"/>).</summary>
internal static class Synthetic
{
    /// <summary>A fresh folder, deleted at the end of the test run (<see cref="TestSupport.TempDirectory"/>).</summary>
    public static string TempDir() => TestSupport.TempDirectory();

    /// <summary>Gaussian noise by Box–Muller from a seeded generator.</summary>
    public static double Noise(Random rng, double sd) =>
        sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
