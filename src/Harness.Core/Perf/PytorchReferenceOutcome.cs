namespace Harness.Perf;

/// <summary>The PyTorch eager numbers of ../shared/perf/bench_torch.py for the same model and batch (property names are the
/// `bench --format json` fields).</summary>
public sealed record PytorchBenchResult(double TokensPerSecond, double StepMs, double Gflops, double MatmulGflops);

/// <summary>A PyTorch reference run: its numbers, or why there are none (<see cref="Skipped"/>: the script or Python is
/// missing; <see cref="Failures"/>: a script run printed no result, each with its last error line).</summary>
public sealed record PytorchReferenceOutcome(PytorchBenchResult? Result, string? Skipped = null)
{
    public IReadOnlyList<string> Failures { get; init; } = [];
}
