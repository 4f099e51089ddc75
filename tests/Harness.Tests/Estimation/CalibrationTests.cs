using Harness.Cli;
using Harness.Estimation;

namespace Harness.Tests.Estimation;

public class CalibrationTests
{
    [Fact]
    public void Calibration_reports_coverage_of_every_estimand_and_the_placebo_per_case()
    {
        var results = Calibration.Run(datasets: 1, replicates: 6, seed: 2);
        Assert.Equal(Calibration.Cases.Count * 6, results.Count);
        Assert.All(results, r => Assert.Equal(1, r.Datasets));
        // One dataset: the frontier and effective-data intervals are there and their medians sit near the truth.
        foreach (var r in results.Where(r => r.Estimand is "frontier" or "effective_data" or "placebo frontier"))
        {
            Assert.Equal(0, r.NoInterval);
            Assert.InRange(r.MedianM / r.Truth, 1 / 1.1, 1.1);
        }
        // With g > 1 the same-size mean is censored (pairs past the largest budget), and says so.
        Assert.Equal(1, results.Single(r => r.Case.Contains("g = 3") && r.Estimand == "same_size").Censored);
    }

    [Fact]
    public void Calibrate_command_rejects_bad_options()
    {
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["calibrate", "--datasets", "0"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["calibrate", "--bogus"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", "/nonexistent", "--final-only"]));
        // calibrate is in the command table (it was missing, so every `harness calibrate` was refused as unknown).
        Assert.Empty(ArgumentChecker.Check(["calibrate", "--slopes", "--datasets", "3", "--replicates", "10"], HarnessApp.Commands));
    }
}
