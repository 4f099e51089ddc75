using System.Diagnostics;
using TorchSharp;

namespace Harness.Cli;

/// <summary>Measured fp32 matmul throughput of this machine (the denominator of MFU-style figures).</summary>
static class MatmulProbe
{
    public static double MeasureGflops(int n = 1024, int reps = 5)
    {
        using var a = torch.randn(n, n);
        using var b = torch.randn(n, n);
        using (torch.matmul(a, b)) { }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) using (torch.matmul(a, b)) { }
        return 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9;
    }
}
