using Harness.Results;

namespace Harness.Sweep;

/// <summary>
/// The one time model of the harness: seconds = FLOPs ÷ (efficiency × the measured fp32 matmul rate).  The dry-run
/// estimate (<see cref="SweepTimeEstimate"/>) and Slurm's <c>--time auto</c> (<see cref="Slurm.TimeEstimate"/>) both use it.
/// </summary>
public readonly record struct ComputeRate(double MatmulGflops, double Efficiency)
{
    /// <summary>Small CPU models reach about 30% of the measured matmul rate (README "Performance").</summary>
    public const double DefaultEfficiency = 0.3;

    public double FlopsPerSecond => Efficiency * MatmulGflops * 1e9;

    public double Seconds(double flops) => flops / FlopsPerSecond;

    public static ComputeRate Default(double matmulGflops) => new(matmulGflops, DefaultEfficiency);

    /// <summary>
    /// The efficiency this machine achieved on the finished runs of a sweep: their training FLOPs ÷ their wall seconds
    /// ÷ the matmul rate, over the scratch units that finished ok (KD units also spend time in the teacher, which their
    /// student FLOPs do not count).  <see cref="DefaultEfficiency"/> when there are none.
    /// </summary>
    public static ComputeRate Calibrated(double matmulGflops, IEnumerable<RunRow> finished, out int measuredUnits)
    {
        var measured = finished.Where(r => r.Status == RunRowStatus.Ok && r.Method == "scratch" && r.WallSeconds > 0).ToList();
        measuredUnits = measured.Count;
        return measured.Count > 0
            ? new ComputeRate(matmulGflops, measured.Sum(r => r.FlopsStudentTrain) / measured.Sum(r => r.WallSeconds) / (matmulGflops * 1e9))
            : Default(matmulGflops);
    }
}
