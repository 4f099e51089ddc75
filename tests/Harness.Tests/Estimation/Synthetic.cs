namespace Harness.Tests.Estimation;

/// <summary>Temp folders and seeded noise for estimator tests (planted-truth folders come from <see cref="Harness.Estimation.SyntheticGrid"/>).</summary>
internal static class Synthetic
{
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "harness-est-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Gaussian noise by Box–Muller from a seeded generator.</summary>
    public static double Noise(Random rng, double sd) =>
        sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
