using Harness.Estimation;
using Harness.Results;
using Xunit.Abstractions;

namespace Harness.Tests.Estimation;

/// <summary>
/// Issue 23, item 5: the claims table.  Planted estimates where each claim is true give "supported", false give
/// "contradicted", a small effect with wide intervals gives "cannot tell", and a claim the run has no estimate for is
/// "not measured".  The end-to-end cases plant the truth in a synthetic results folder and run the whole estimator.
/// </summary>
public class ClaimVerdictsTests(ITestOutputHelper output)
{
    const string Loss = "val_loss";
    const string Kd = "logit-kd";

    /// <summary>A student-accounting summary row with a seed-cluster interval over 3 seeds.</summary>
    static MultiplierRow Summary(string treatment, string metric, double m, double lo, double hi, string accounting = "student",
                                 Estimand estimand = Estimand.Frontier, MultiplierBound bound = MultiplierBound.None) => new()
    {
        Kind = MultiplierKind.Summary, Estimand = estimand, Treatment = treatment, Metric = metric, Accounting = accounting,
        M = m, MCi95Low = lo, MCi95High = hi, Bound = bound, Seeds = 3, Interval = "cluster_seed_t", Replicates = 100, Mde = 1.1,
    };

    static MultiplierRow BySize(string metric, string student, double n, double m, double lo, double hi) => new()
    {
        Kind = MultiplierKind.ByStudent, Estimand = Estimand.SameSize, Treatment = Kd, Metric = metric, Accounting = "student", Student = student, Params = n,
        M = m, MCi95Low = lo, MCi95High = hi, Seeds = 3, Interval = "cluster_seed_t", Replicates = 100,
    };

    static MultiplierRow Slope(string treatment, double b, double lo, double hi) => new()
    {
        Kind = MultiplierKind.Slope, Estimand = Estimand.EffectiveData, Treatment = treatment, Metric = Loss, Accounting = "student", Quantity = "slope_ln_n",
        Value = b, ValueCi95Low = lo, ValueCi95High = hi, ValueP = 0.5, Seeds = 3, Interval = "cluster_seed_t", Replicates = 100,
    };

    static ClaimRow Claim(IReadOnlyList<MultiplierRow> rows, string claim, string accounting = "student", string treatment = Kd, IReadOnlyList<string>? treatments = null) =>
        Assert.Single(ClaimVerdicts.Of(rows, treatments ?? [treatment], Loss), c => c.Claim == claim && c.Treatment == treatment && c.Accounting == accounting);

    [Theory]
    [InlineData(5.0, 4.0, 6.2, MultiplierBound.None, ClaimVerdict.Supported)]
    [InlineData(1.2, 1.1, 1.3, MultiplierBound.None, ClaimVerdict.Contradicted)]
    [InlineData(2.5, 1.1, 5.6, MultiplierBound.None, ClaimVerdict.CannotTell)]
    [InlineData(1.2, 1.1, 1.3, MultiplierBound.Lower, ClaimVerdict.CannotTell)] // a lower bound below 3 says nothing against the claim
    [InlineData(4.0, 3.5, 4.6, MultiplierBound.Lower, ClaimVerdict.Supported)]
    public void Several_fold_is_the_interval_against_three(double m, double lo, double hi, MultiplierBound bound, ClaimVerdict expected)
    {
        var c = Claim([Summary(Kd, Loss, m, lo, hi, bound: bound)], "several_fold");
        Assert.Equal(expected, c.Verdict);
        Assert.Equal(m, c.Estimate);
        Assert.Equal(3, c.Threshold);
        Assert.Equal(1.1, c.Mde);
        Assert.Equal("frontier", c.Estimand);
    }

    [Fact]
    public void A_claim_without_its_estimate_is_not_measured_and_says_what_it_needs()
    {
        var claims = ClaimVerdicts.Of([Summary(Kd, Loss, 5, 4, 6)], [Kd], Loss);
        var teacher = Assert.Single(claims, c => c.Claim == "several_fold" && c.Accounting == "+teacher");
        Assert.Equal(ClaimVerdict.NotMeasured, teacher.Verdict);
        Assert.Null(teacher.Estimate);
        Assert.Contains("+teacher", teacher.Note);
        foreach (var id in new[] { "differs_by_benchmark", "shrinks_with_size", "knowledge_recall", "amortised_teacher", "logit_vs_seq_kd" })
        {
            var c = Assert.Single(claims, x => x.Claim == id);
            Assert.Equal(ClaimVerdict.NotMeasured, c.Verdict);
            Assert.StartsWith("not measured: needs", c.Note);
        }
    }

    [Fact]
    public void A_placebo_that_excludes_one_turns_a_verdict_into_cannot_tell()
    {
        var placebo = new MultiplierRow { Kind = MultiplierKind.Placebo, Estimand = Estimand.Frontier, Treatment = "placebo", Metric = Loss, Accounting = "student", M = 1.4, MCi95Low = 1.2, MCi95High = 1.6 };
        var c = Claim([Summary(Kd, Loss, 5, 4, 6), placebo], "several_fold");
        Assert.Equal(ClaimVerdict.CannotTell, c.Verdict);
        Assert.Contains("placebo", c.Note);
    }

    static MultiplierRow Task(string task, double m, double halfWidth) =>
        Summary(Kd, task + "/task_loss", m, m / Math.Exp(halfWidth), m * Math.Exp(halfWidth));

    [Fact]
    public void Benchmarks_that_differ_wildly_are_supported_equal_ones_contradicted_noisy_ones_cannot_tell()
    {
        var wild = Claim([Task("a", 1.2, 0.1), Task("b", 3, 0.1), Task("c", 6, 0.1)], "differs_by_benchmark");
        Assert.Equal(ClaimVerdict.Supported, wild.Verdict);
        Assert.True(wild.Estimate > 0.9, $"I² {wild.Estimate}");
        Assert.True(wild.Ci95Low <= wild.Estimate && wild.Estimate <= wild.Ci95High);
        output.WriteLine($"wild: I² {wild.Estimate} [{wild.Ci95Low}, {wild.Ci95High}], mde {wild.Mde}; {wild.Note}");

        var same = Claim([Task("a", 1.5, 0.1), Task("b", 1.52, 0.1), Task("c", 1.49, 0.1)], "differs_by_benchmark");
        Assert.Equal(ClaimVerdict.Contradicted, same.Verdict);
        Assert.Equal(0, same.Estimate);
        Assert.True(same.Mde < 2);

        var noisy = Claim([Task("a", 1.2, 1.0), Task("b", 2.0, 1.0), Task("c", 1.6, 1.0)], "differs_by_benchmark");
        Assert.Equal(ClaimVerdict.CannotTell, noisy.Verdict);
        Assert.True(noisy.Mde > 2);

        // Differ (p < 0.05) but by less than 2x: not "wildly", and not shown equal either.
        var mild = Claim([Task("a", 1.3, 0.03), Task("b", 1.6, 0.03), Task("c", 1.45, 0.03)], "differs_by_benchmark");
        Assert.Equal(ClaimVerdict.CannotTell, mild.Verdict);
    }

    [Fact]
    public void Cochrans_q_and_i2_match_a_hand_computed_case()
    {
        // Two tasks, ln M = 0 and ln 4, se 0.5 each (interval ln M ± t_2·se): Q = (ln 4)²/(2·0.25) = 3.84, I² = (Q − 1)/Q.
        var t2 = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, 2, 0.975);
        MultiplierRow Row(string task, double m) => Summary(Kd, task + "/task_loss", m, m * Math.Exp(-t2 * 0.5), m * Math.Exp(t2 * 0.5));
        var c = Claim([Row("a", 1), Row("b", 4)], "differs_by_benchmark");
        var q = Math.Log(4) * Math.Log(4) / 0.5;
        Assert.Equal((q - 1) / q, c.Estimate!.Value, 9);
        Assert.Contains("p = 0.05", c.Note); // 1 − χ²₁(3.84) = 0.050
        Assert.Equal(Math.Exp((1.959964 + 0.841621) * Math.Sqrt(2) * 0.5), c.Mde!.Value, 4);
    }

    static MultiplierRow[] Sizes => [BySize(Loss, "pico", 1e4, 1.5, 1.4, 1.6), BySize(Loss, "mini", 3e5, 1.5, 1.4, 1.6)];

    [Theory]
    [InlineData(0.2, 0.1, 0.3, ClaimVerdict.Supported)]
    [InlineData(0.0, -0.02, 0.02, ClaimVerdict.Contradicted)]
    [InlineData(-0.2, -0.3, -0.1, ClaimVerdict.Contradicted)] // gains grow as the student shrinks
    [InlineData(0.05, -0.2, 0.3, ClaimVerdict.CannotTell)]
    public void Shrinking_with_size_is_the_slopes_interval_against_zero_and_the_smallest_trend_that_counts(double b, double lo, double hi, ClaimVerdict expected)
    {
        var c = Claim([.. Sizes, Slope(Kd, b, lo, hi)], "shrinks_with_size");
        Assert.Equal(expected, c.Verdict);
        Assert.Equal(Math.Log(1.25) / Math.Log(30), c.Threshold!.Value, 9);
        Assert.True(c.Mde > 0);
    }

    [Fact]
    public void A_placebo_slope_that_excludes_zero_blocks_the_size_verdict()
    {
        var c = Claim([.. Sizes, Slope(Kd, 0.2, 0.1, 0.3), Slope("placebo", 0.15, 0.05, 0.25)], "shrinks_with_size");
        Assert.Equal(ClaimVerdict.CannotTell, c.Verdict);
    }

    [Fact]
    public void Knowledge_recall_is_judged_per_size_from_the_knowledge_task_against_the_loss()
    {
        const string k = "knowledge/task_loss";
        var rows = new[]
        {
            BySize(Loss, "pico", 1e4, 2.0, 1.8, 2.2), BySize(k, "pico", 1e4, 1.0, 0.9, 1.1),   // knowledge gains half: lost
            BySize(Loss, "nano", 5e4, 2.0, 1.8, 2.2), BySize(k, "nano", 5e4, 2.1, 1.9, 2.3),   // keeps the gain: contradicted
            BySize(Loss, "mini", 3e5, 2.0, 1.0, 4.0), BySize(k, "mini", 3e5, 1.6, 0.8, 3.2),   // wide: cannot tell
        };
        var claims = ClaimVerdicts.Of(rows, [Kd], Loss).Where(c => c.Claim == "knowledge_recall").ToList();
        Assert.Equal(["pico", "nano", "mini"], claims.Select(c => c.Student));
        Assert.Equal([ClaimVerdict.Supported, ClaimVerdict.Contradicted, ClaimVerdict.CannotTell], claims.Select(c => c.Verdict));
        Assert.Equal(0.5, claims[0].Estimate!.Value, 9);
        Assert.True(claims[0].Ci95High < 1);
    }

    [Theory]
    [InlineData(0.3, 0.2, 0.4, 1.5, 1.3, 1.7, ClaimVerdict.Supported)]     // loses when charged in full, wins amortised
    [InlineData(1.3, 1.2, 1.4, 1.5, 1.3, 1.7, ClaimVerdict.Contradicted)]  // wins even with the teacher charged in full
    [InlineData(0.3, 0.2, 0.4, 0.8, 0.7, 0.9, ClaimVerdict.Contradicted)]  // never wins
    [InlineData(0.9, 0.5, 1.6, 1.5, 1.3, 1.7, ClaimVerdict.CannotTell)]
    public void Amortisation_compares_full_teacher_charge_with_the_amortised_limit(double t, double tlo, double thi, double i, double ilo, double ihi, ClaimVerdict expected)
    {
        var payoff = new MultiplierRow
        {
            Kind = MultiplierKind.Crossover, Estimand = Estimand.EffectiveData, Treatment = Kd, Metric = Loss, Accounting = "amortised", Student = "mini", Params = 3e5,
            Quantity = "payoff_students", Value = 12, ValueCi95Low = 8, ValueCi95High = 20,
        };
        var c = Claim([Summary(Kd, Loss, t, tlo, thi, "+teacher"), Summary(Kd, Loss, i, ilo, ihi, "+inference"), payoff], "amortised_teacher", "amortised");
        Assert.Equal(expected, c.Verdict);
        Assert.Equal(12, c.Estimate);
        Assert.Equal("mini", c.Student);
    }

    [Fact]
    public void Logit_against_sequence_kd_is_a_ratio_with_an_interval_when_both_ran()
    {
        var rows = new[] { Summary(Kd, Loss, 2.0, 1.8, 2.2), Summary("seq-kd", Loss, 1.0, 0.9, 1.1) };
        var both = Claim(rows, "logit_vs_seq_kd", treatment: "logit-kd/seq-kd", treatments: [Kd, "seq-kd"]);
        Assert.Equal(ClaimVerdict.Supported, both.Verdict);
        Assert.Equal(2.0, both.Estimate!.Value, 9);
        Assert.True(both.Ci95Low > 1 && both.Ci95High < 4);
        var reversed = Claim([Summary(Kd, Loss, 1.0, 0.9, 1.1), Summary("seq-kd", Loss, 2.0, 1.8, 2.2)], "logit_vs_seq_kd", treatment: "logit-kd/seq-kd", treatments: [Kd, "seq-kd"]);
        Assert.Equal(ClaimVerdict.Contradicted, reversed.Verdict);
        var one = Claim(rows, "logit_vs_seq_kd", treatment: "logit-kd/seq-kd", treatments: [Kd]);
        Assert.Equal(ClaimVerdict.NotMeasured, one.Verdict);
    }

    /// <summary>Planted truths (seed-cluster bootstrap, 3 seeds, 20 replicates): the verdicts each must give.</summary>
    [Theory]
    [InlineData("several-fold and flat", 4.0, 0.0, 0.01, 0.004, "several_fold=supported shrinks_with_size=contradicted")]
    [InlineData("1.3x and flat", 1.3, 0.0, 0.01, 0.004, "several_fold=contradicted shrinks_with_size=contradicted")]
    [InlineData("shrinking", 1.5, 0.25, 0.01, 0.004, "several_fold=contradicted shrinks_with_size=supported")]
    [InlineData("tiny trend, noisy runs", 1.5, 0.03, 0.02, 0.08, "shrinks_with_size=cannot_tell")]
    [InlineData("placebo", 1.0, 0.0, 0.01, 0.004, "")]
    public void End_to_end_planted_truths_give_their_verdicts_and_the_placebo_no_supported_claim(string name, double gain, double slope, double seedEffect, double noise, string expected)
    {
        using var tmp = new TempDirectory();
        // Budgets up to 16x the smallest, so a 4x gain stays inside the scratch runs (no censored pairs, both frontiers overlap).
        var budgets = gain > 3 ? new long[] { 153_600, 307_200, 614_400, 1_228_800, 2_457_600 } : [153_600, 307_200, 614_400];
        new SyntheticGrid { Gain = gain, GainSlope = slope, SeedEffect = seedEffect, RunNoise = noise, Budgets = budgets }.Write(tmp.Path, dataSeed: 3);
        var result = MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Metrics = [ResultsFolderLoader.ValLoss], Replicates = 20, Seed = 3 });
        foreach (var c in result.Summary.Claims.Where(c => c.Verdict != ClaimVerdict.NotMeasured))
            output.WriteLine($"{name}: {c.Claim} {c.Accounting}: {c.Quantity} {c.Estimate:0.###} [{c.Ci95Low:0.###}, {c.Ci95High:0.###}] mde {c.Mde:0.###} -> {c.Verdict}; {c.Note}");
        foreach (var pair in expected.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (id, verdict) = (pair.Split('=')[0], pair.Split('=')[1].Replace('_', ' '));
            Assert.Equal(verdict, OnDiskEnum<ClaimVerdict>.Name(Assert.Single(result.Summary.Claims, c => c.Claim == id && c.Accounting == "student").Verdict));
        }
        if (gain == 1) Assert.DoesNotContain(result.Summary.Claims, c => c.Verdict == ClaimVerdict.Supported);
        // Without a second method or a knowledge task those claims are not measured, never guessed.
        Assert.All(result.Summary.Claims.Where(c => c.Claim is "logit_vs_seq_kd" or "knowledge_recall" or "differs_by_benchmark"),
                   c => Assert.Equal(ClaimVerdict.NotMeasured, c.Verdict));
    }
}
