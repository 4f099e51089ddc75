using Harness.Estimation;
using Harness.Results;

namespace Harness.Tests.Estimation;

/// <summary>Issue 23, item 7: a fitted law's parameter on its bound is flagged in fits.json and in the report.</summary>
public class LawBoundsTests
{
    [Fact]
    public void E_at_zero_and_degenerate_exponents_are_flagged_and_a_sound_law_is_not()
    {
        Assert.Empty(LawBounds.Check(new ChinchillaLaw(1.8, 41, 54, 0.35, 0.3), 2.5));
        var flags = LawBounds.Check(new ChinchillaLaw(1.4e-16, 41, 54, 0.005, 6), 2.5);
        Assert.Equal(3, flags.Count);
        Assert.StartsWith("E = 1.4E-16: at its lower bound 0", flags[0]);
        Assert.StartsWith("alpha = 0.005", flags[1]);
        Assert.StartsWith("beta = 6", flags[2]);
    }

    [Fact]
    public void Every_arm_law_carries_its_bound_check_into_fits_json_and_a_flag_becomes_a_report_warning()
    {
        using var tmp = new TempDirectory();
        new SyntheticGrid { Gain = 1.5 }.Write(tmp.Path, 4);
        var result = MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Metrics = [ResultsFolderLoader.ValLoss], Replicates = 0, Placebo = false });
        var metric = result.Fits.Metrics.Single();
        Assert.Empty(metric.Arms[0].Law!.AtBound); // the planted law (E = 1.8) is identified
        // The quickstart's case: E fitted at 1.4e-16.  Written to fits.json, it becomes a warning in the report.
        var flagged = result.Fits with
        {
            Metrics = [metric with { Arms = [metric.Arms[0] with { Law = metric.Arms[0].Law! with { AtBound = LawBounds.Check(new ChinchillaLaw(1.4e-16, 41, 54, 0.35, 0.3), 2) } }, .. metric.Arms.Skip(1)] }],
        };
        EstimateWriter.Write(result with { Fits = flagged }, tmp.Path);
        Assert.Contains("\"at_bound\": [", File.ReadAllText(tmp.File(ResultSchema.FitsFile)));
        var md = File.ReadAllText(Harness.Reporting.ReportWriter.Write(tmp.Path).Markdown);
        Assert.Contains("law on a bound: scratch on val_loss: E = 1.4E-16", md);
    }
}
