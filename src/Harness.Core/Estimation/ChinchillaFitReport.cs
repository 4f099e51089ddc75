using System.Text.Json;

namespace Harness.Estimation;

/// <summary>An L(N, D) fit with bootstrap intervals (rows resampled with replacement), for <c>harness fit-scaling</c>.</summary>
public sealed record ChinchillaFitReport(
    ChinchillaLaw Law,
    IReadOnlyList<ParameterEstimate> Parameters,
    int Points,
    int Resamples,
    int Seed,
    int FailedReplicates,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Fits as <see cref="ScalingLawFitter"/> (Epoch's grid, screened to <paramref name="gridKeep"/> L-BFGS runs), then
    /// refits <paramref name="resamples"/> bootstrap samples of the rows from the optimum plus perturbed starts.
    /// </summary>
    public static ChinchillaFitReport Fit(IReadOnlyList<ScalingPoint> points, int resamples, int seed, int gridKeep = ScalingLawFitter.DefaultGridKeep)
    {
        if (resamples < 0 || resamples > 100_000)
            throw new UserInputException($"--resamples: value '{resamples}' must be between 0 and 100000.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var theta = ScalingLawFitter.FitChinchillaTheta(points, ScalingLawFitter.EpochGrid(), gridKeep, parallel: true);
        var law = ScalingLawFitter.ChinchillaFromTheta(theta);
        var replicates = new double[resamples][];
        Parallel.For(0, resamples, b =>
        {
            var rng = new Random(Bootstrap.DeriveSeed(seed, b));
            var sample = Bootstrap.Resample(rng, points.Count).Select(i => points[i]).ToList();
            var t = ScalingLawFitter.ChinchillaFromTheta(WarmRefit.RefitChinchilla(sample, theta, rng));
            replicates[b] = [t.E, t.A, t.B, t.Alpha, t.Beta];
        });
        var values = new[] { ("E", law.E), ("A", law.A), ("B", law.B), ("alpha", law.Alpha), ("beta", law.Beta) };
        var parameters = values.Select((v, j) => ParameterEstimate.From(v.Item1, v.Item2, replicates.Where(r => r.Length > j).Select(r => r[j]))).ToList();
        return new ChinchillaFitReport(law, parameters, points.Count, resamples, seed, replicates.Count(r => r.Length == 0), clock.Elapsed);
    }

    /// <summary>One JSON object: E, A, B, alpha, beta, each with &lt;name&gt;_ci90 and &lt;name&gt;_ci95 as [low, high].</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var p in Parameters)
            {
                EstimateWriter.Number(json, p.Name, p.Value);
                EstimateWriter.Pair(json, p.Name + "_ci90", p.Ci90Low, p.Ci90High);
                EstimateWriter.Pair(json, p.Name + "_ci95", p.Ci95Low, p.Ci95High);
            }
            json.WriteNumber("points", Points);
            json.WriteNumber("resamples", Resamples);
            json.WriteNumber("seed", Seed);
            json.WriteNumber("failed_replicates", FailedReplicates);
            json.WriteNumber("huber_delta", ScalingLawFitter.HuberDelta);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
