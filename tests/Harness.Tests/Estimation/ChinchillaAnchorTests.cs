using System.Diagnostics;
using System.Globalization;
using Harness.Estimation;
using Xunit.Abstractions;

namespace Harness.Tests.Estimation;

public class ChinchillaAnchorTests(ITestOutputHelper output)
{
    [AnchorFact(AnchorFiles.Chinchilla)]
    public void ReproducesEpochFit()
    {
        var lines = File.ReadAllLines(AnchorFiles.Find(AnchorFiles.Chinchilla)!).Skip(1);
        var pts = lines.Select(l => l.Split(',')).Select(c =>
        {
            var n = double.Parse(c[3], CultureInfo.InvariantCulture);
            var f = double.Parse(c[4], CultureInfo.InvariantCulture);
            return new ScalingPoint(n, f / (6 * n), double.Parse(c[6], CultureInfo.InvariantCulture));
        }).OrderBy(p => p.Loss).ToList();
        pts = pts.Take(pts.Count - 5).ToList();
        var sw = Stopwatch.StartNew();
        var law = ScalingLawFitter.FitChinchilla(pts);
        output.WriteLine($"{law} in {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var full = ScalingLawFitter.FitChinchilla(pts, int.MaxValue);
        output.WriteLine($"full {full} in {sw.ElapsedMilliseconds} ms");
        Assert.Equal(1.817, law.E, 0.02);
    }
}
