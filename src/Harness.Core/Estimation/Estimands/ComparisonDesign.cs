namespace Harness.Estimation.Estimands;

/// <summary>An accounting scenario's extra cost of the treatment: FLOPs per token x, fixed FLOPs F, and the mean ln(C_student / C_scenario).</summary>
internal readonly record struct AccountingExtras(double PerToken, double Fixed, double LnRatio);

/// <summary>
/// One comparison (a treatment, or the placebo, against the baseline on one metric) with everything that must not change
/// between bootstrap replicates: the y grid of the frontier estimand, τ's form of the effective-data estimand, the
/// accounting extras.  Made once from the data, then shared by the point estimate and every replicate.
/// </summary>
internal sealed class ComparisonDesign
{
    /// <summary>Points of the y grid over the common range of the frontier estimand.</summary>
    public const int GridPoints = 15;

    public required MetricSeries Series { get; init; }
    public required IReadOnlyList<AccountingScenario> Scenarios { get; init; }
    public required Dictionary<string, AccountingExtras> Extras { get; init; }
    /// <summary>Both arms share seeds, so the same-size estimand reads each pair's own seed's scratch runs.</summary>
    public required bool Paired { get; init; }
    /// <summary>A loss metric whose points all know N and D: L(N, D) fits, and the same-size and effective-data estimands apply.</summary>
    public bool UsesSizes { get; set; }
    /// <summary>The baseline's sizes, the range the frontier's min over N runs over.</summary>
    public SizeSupport[] Grid { get; set; } = [];
    public double[] YGrid { get; set; } = [];
    /// <summary>Per grid point: both frontiers stay inside their runs' data (student accounting); only these enter the summary.</summary>
    public bool[] YSupported { get; set; } = [];
    public bool TauLinear { get; set; }
    public double LnNCenter { get; set; }
    /// <summary>The trend fit (<see cref="TrendEstimate"/>) has the ln N term: 3 or more sizes in each arm.</summary>
    public bool TrendN { get; set; }
    /// <summary>The trend fit has the ln D term: 3 or more token counts among the treatment's finished runs, not collinear with ln N.</summary>
    public bool TrendD { get; set; }
    public double LnDCenter { get; set; }
    public double? CvConstant { get; set; }
    public double? CvLinear { get; set; }

    /// <summary>ln(C_student / C_scenario) of one run: what moving from student accounting to <paramref name="s"/> adds to ln M.</summary>
    public static double LnRatio(AccountingScenario s, MetricPoint p) => Math.Log(p.Flops.StudentTrain) - Math.Log(s.Compute(p.Flops));

    /// <summary>
    /// The design of <paramref name="treatment"/> against <paramref name="baseline"/>: per scenario x = mean inference extras
    /// per token, F = the teacher's pre-training (all of it for +teacher, 1/K for amortised:K); τ constant or linear in ln N,
    /// whichever has the lower leave-one-size-out error; the y grid of <see cref="GridPoints"/> over [max of the arms' minima,
    /// min of their maxima] of the finished values.
    /// </summary>
    public static ComparisonDesign Create(MetricSeries series, IReadOnlyList<AccountingScenario> scenarios, IReadOnlyList<MetricPoint> baseline,
                                          IReadOnlyList<MetricPoint> treatment, bool paired)
    {
        var finals = treatment.Where(p => p.IsFinal).ToList();
        var tokens = finals.Sum(p => p.Tokens);
        var extras = scenarios.ToDictionary(s => s.Name, s =>
        {
            var perToken = s.Kind == AccountingKind.Student || tokens <= 0 ? 0 : finals.Sum(p => p.Flops.InferenceExtras) / tokens;
            var weight = s.Kind switch { AccountingKind.Teacher => 1.0, AccountingKind.Amortised => 1.0 / s.Students, _ => 0.0 };
            var fixedCost = finals.Count == 0 ? 0 : weight * finals.Average(p => p.Flops.TeacherPretrain);
            var lnRatio = finals.Count == 0 ? 0 : finals.Average(p => LnRatio(s, p));
            return new AccountingExtras(perToken, fixedCost, lnRatio);
        }, StringComparer.Ordinal);
        var all = baseline.Concat(treatment).ToList();
        var usesSizes = series.Kind == MetricKind.Loss && all.Count > 0 && all.All(p => p.Params > 0 && p.Tokens > 0);
        var design = new ComparisonDesign { Series = series, Scenarios = scenarios, Extras = extras, Paired = paired, UsesSizes = usesSizes };
        if (usesSizes)
        {
            design.Grid = LossArm.SizesOf(baseline);
            design.LnNCenter = all.Average(p => Math.Log(p.Params));
            var cvC = AugmentedLaw.CrossValidationError(baseline, treatment, linear: false);
            var cvL = AugmentedLaw.CrossValidationError(baseline, treatment, linear: true);
            design.CvConstant = double.IsFinite(cvC) ? cvC : null;
            design.CvLinear = double.IsFinite(cvL) ? cvL : null;
            design.TauLinear = double.IsFinite(cvC) && double.IsFinite(cvL) && cvL < cvC;
            TrendEstimate.Plan(design, baseline, finals);
        }
        var bf = baseline.Where(p => p.IsFinal).Select(p => p.Value).ToList();
        var tf = finals.Select(p => p.Value).ToList();
        if (bf.Count > 0 && tf.Count > 0)
        {
            var lo = Math.Max(bf.Min(), tf.Min());
            var hi = Math.Min(bf.Max(), tf.Max());
            if (hi > lo)
                design.YGrid = Enumerable.Range(0, GridPoints).Select(i => lo + (hi - lo) * i / (GridPoints - 1)).ToArray();
        }
        design.YSupported = design.YGrid.Select(_ => true).ToArray();
        return design;
    }
}
