using System.Diagnostics;
using Harness.Estimation;
using Xunit.Abstractions;

namespace Harness.Tests.Estimation;

public class ChinchillaAnchorTests(ITestOutputHelper output)
{
    /// <summary>
    /// Epoch AI's replication (Besiroglu et al. 2024) on the points extracted from Chinchilla's Figure 4, tokens =
    /// FLOP / (6 N), five highest losses dropped: E = 1.8172, A = 482.01, B = 2085.43, α = 0.3478, β = 0.3658.
    /// A and B are exponentially sensitive to the exponents, hence the looser relative tolerance on them.
    /// </summary>
    [AnchorFact(AnchorFiles.Chinchilla)]
    public void ReproducesEpochFit()
    {
        var points = ScalingTableLoader.Load(AnchorFiles.Find(AnchorFiles.Chinchilla)!, "Model Size", null, "loss", "Training FLOP", 5);
        Assert.Equal(240, points.Count);
        var clock = Stopwatch.StartNew();
        var law = ScalingLawFitter.FitChinchilla(points);
        output.WriteLine($"{law} in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(1.817, law.E, 0.01);
        Assert.Equal(0.348, law.Alpha, 0.005);
        Assert.Equal(0.366, law.Beta, 0.005);
        Assert.InRange(law.A / 482, 0.95, 1.05);
        Assert.InRange(law.B / 2085, 0.93, 1.07);
    }
}
