using System.Diagnostics;
using Harness.Estimation.Estimands;
using Harness.Estimation.Intervals;
using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// The efficiency-multiplier estimator (issue 12; formulas in README "Efficiency-multiplier estimator").  For every metric
/// (<see cref="MetricSelection"/>) and treatment it builds one comparison against the baseline (<see cref="ComparisonDesign"/>),
/// fits both arms by the same rule (<see cref="ComparisonFit"/>) and measures three estimands, each under its own name
/// and never averaged together, on finished runs of both arms by default:
/// <list type="bullet">
/// <item>(a) <c>frontier</c>, M_F(y) = C*_scratch(y) / C*_treatment(y) (<see cref="FrontierEstimand"/>);</item>
/// <item>(b) <c>same_size</c>, scratch tokens of the same size to reach the treatment's value ÷ the treatment's, per
/// (student, budget, seed) pair, censored at the edge of the scratch runs (<see cref="SameSizeEstimand"/>);</item>
/// <item>(c) <c>effective_data</c>, e^τ of Ho et al. 2024's augmented law (<see cref="EffectiveDataEstimand"/>).</item>
/// </list>
/// Compute follows each accounting scenario (<see cref="AccountingScenario"/>; Busbridge et al. 2025).  Intervals: the
/// seed-cluster bootstrap with the few-clusters t correction, or a parametric residual bootstrap with fewer than 3 seeds
/// (<see cref="SeedClusterBootstrap"/>, <see cref="MultiplierInterval"/>); failed replicates are counted in every row.
/// The placebo (<see cref="PlaceboComparison"/>) sits beside every headline.
/// </summary>
public static class MultiplierEstimator
{
    /// <summary>Group name of the placebo "treatment" (a scratch seed).</summary>
    public const string PlaceboGroup = PlaceboComparison.Group;
    /// <summary>Points of the y grid over the common range of estimand (a).</summary>
    public const int GridPoints = ComparisonDesign.GridPoints;
    /// <summary>A benchmark accuracy is estimated only when the baseline's best run beats chance by this many binomial standard errors.</summary>
    public const double ChanceSeparation = MetricSelection.ChanceSeparation;

    public static EstimateResult EstimateResultsFolder(string dir, EstimateOptions options) =>
        Estimate(ResultsFolderLoader.Load(dir), options);

    public static EstimateResult EstimateTable(string path, string baseline, IReadOnlyList<string> treatments, EstimateOptions options) =>
        Estimate(ExternalTableLoader.Load(path, baseline, treatments), options);

    public static EstimateResult Estimate(EstimationInput input, EstimateOptions options)
    {
        var clock = Stopwatch.StartNew();
        Validate(input, options);
        var scenarios = input.FixedAccounting ?? AccountingScenario.Resolve(options.Accounting);
        var selected = MetricSelection.Select(input, options);
        var rows = new List<MultiplierRow>();
        var placebos = new List<PlaceboResult>();
        var fits = new List<MetricFits>();
        var warnings = new List<string>();
        var notes = new List<string>(input.Notes);
        if (options.AllCheckpoints)
            notes.Add("--all-checkpoints: intermediate checkpoints of both arms entered the frontier and effective-data fits (default: finished runs only).");
        var seedCount = 0;

        foreach (var series in selected)
        {
            var usable = series.Points.Where(p => options.AllCheckpoints || p.IsFinal).ToList();
            var baseline = usable.Where(p => p.Group == input.BaselineGroup).ToList();
            seedCount = Math.Max(seedCount, baseline.Select(p => p.Seed).Distinct().Count());
            var withheld = MetricSelection.WithheldReason(series, baseline);
            var arms = new List<ArmFit>();
            var effective = new List<EffectiveDataFit>();

            // Placebo first: its numbers go beside every headline of this metric.
            var placebo = options.Placebo && withheld is null
                ? PlaceboComparison.Run(series, baseline, options.Replicates, Hash(options.Seed, series.Metric, PlaceboGroup))
                : new PlaceboComparison();
            rows.AddRange(placebo.Rows);
            placebos.AddRange(placebo.Results);
            warnings.AddRange(placebo.Warnings);

            var scratchArmAdded = false;
            for (var t = 0; t < input.TreatmentGroups.Count; t++)
            {
                var name = input.TreatmentGroups[t];
                var treatment = usable.Where(p => p.Group == name).ToList();
                if (treatment.Count == 0) continue;
                var design = ComparisonDesign.Create(series, scenarios, baseline, treatment, paired: true);
                if (withheld is not null)
                {
                    foreach (var s in scenarios)
                        foreach (var estimand in Enum.GetValues<Estimand>())
                            rows.Add(new MultiplierRow
                            {
                                Kind = MultiplierKind.Summary, Estimand = estimand, Treatment = name, Metric = series.Metric, Accounting = s.Name,
                                Status = MultiplierStatus.Withheld, Note = withheld, Pairs = treatment.Count(p => p.IsFinal),
                            });
                    continue;
                }
                var fit = ComparisonFit.Evaluate(design, baseline, treatment, detail: true);
                FrontierEstimand.SetSupport(design, fit);
                var reps = SeedClusterBootstrap.Run(design, baseline, treatment, fit, options.Replicates, Hash(options.Seed, series.Metric, name), forceParametric: false);
                rows.AddRange(new EstimandRows(design, fit, reps, name, baseline, treatment, placebo.Values).All());
                if (!scratchArmAdded)
                {
                    arms.Add(Arm(input.BaselineGroup, fit.BaseArm, fit.BaseCurve, baseline, fit.BaseReason));
                    scratchArmAdded = true;
                }
                arms.Add(Arm(name, fit.TreatArm, fit.TreatCurve, treatment, fit.TreatReason));
                if (fit.Augmented is { } aug)
                    effective.Add(new EffectiveDataFit
                    {
                        Treatment = name, Law = aug.ToFitted(), TauForm = aug.Linear ? "linear_ln_n" : "constant",
                        CvErrorConstant = design.CvConstant, CvErrorLinear = design.CvLinear,
                    });
            }
            fits.Add(new MetricFits
            {
                Metric = series.Metric, Kind = series.Kind == MetricKind.Loss ? "loss" : "score",
                Chance = double.IsFinite(series.Chance) ? series.Chance : null, Arms = arms, EffectiveData = effective, Note = withheld ?? "",
            });
        }

        // The failure rate of every row with replicates (README "Failed replicates"); the classes are in failed_reasons.
        for (var i = 0; i < rows.Count; i++)
            if (rows[i].Replicates > 0) rows[i] = rows[i] with { FailedRate = rows[i].FailedReplicates / (double)rows[i].Replicates };
        var failedReplicates = rows.Where(r => r.Kind == MultiplierKind.Summary).Sum(r => r.FailedReplicates);
        if (failedReplicates > 0)
            notes.Add($"{failedReplicates} bootstrap replicate value(s) failed across the summary rows (refit without a finite value); each row's failed_replicates, failed_rate and failed_reasons columns say how many and why.");
        var headlineMetric = selected.Select(m => m.Metric).FirstOrDefault(m => m == ResultsFolderLoader.ValLoss)
                             ?? selected.FirstOrDefault(m => m.Kind == MetricKind.Loss)?.Metric ?? selected.FirstOrDefault()?.Metric ?? "";
        var summary = new EstimateSummary
        {
            Source = input.Source, Baseline = input.BaselineGroup, Treatments = input.TreatmentGroups, HeadlineMetric = headlineMetric,
            Seeds = seedCount, Replicates = options.Replicates, FinishedRunsOnly = !options.AllCheckpoints, ExcludedFailedUnits = input.ExcludedFailedUnits,
            Headlines = rows.Where(r => r.Kind == MultiplierKind.Summary).Select(r => new SummaryHeadline
            {
                Treatment = r.Treatment, Metric = r.Metric, Estimand = r.Estimand, Accounting = r.Accounting, M = r.M, Ci95Low = r.MCi95Low, Ci95High = r.MCi95High,
                Bound = r.Bound, Status = r.Status, Pairs = r.Pairs, PairsWon = r.Won, Censored = r.Censored, Extrapolated = r.ExtrapolatedCount,
                Replicates = r.Replicates, FailedReplicates = r.FailedReplicates, FailedReasons = r.FailedReasons, Mde = r.Mde,
                PlaceboM = r.PlaceboM, PlaceboCi95Low = r.PlaceboCi95Low, PlaceboCi95High = r.PlaceboCi95High, Note = r.Note,
            }).ToList(),
            Placebo = placebos, Warnings = warnings, Notes = notes,
            Slopes = rows.Where(r => r.Kind == MultiplierKind.Slope).Select(Trend).ToList(),
            Crossovers = rows.Where(r => r.Kind == MultiplierKind.Crossover).Select(Trend).ToList(),
            Claims = ClaimVerdicts.Of(rows, input.TreatmentGroups, headlineMetric),
        };
        return new EstimateResult
        {
            Source = input.Source, Baseline = input.BaselineGroup, Treatments = input.TreatmentGroups, Accounting = scenarios, Rows = rows, Summary = summary,
            Fits = new FitsDocument
            {
                Source = input.Source, Baseline = input.BaselineGroup, FinishedRunsOnly = !options.AllCheckpoints, Replicates = options.Replicates,
                Seed = options.Seed, Metrics = fits,
            },
            Options = options, Elapsed = clock.Elapsed,
        };
    }

    static TrendHeadline Trend(MultiplierRow r) => new()
    {
        Treatment = r.Treatment, Metric = r.Metric, Accounting = r.Accounting, Student = r.Student, Quantity = r.Quantity, Value = r.Value,
        Bound = r.Bound, Extrapolated = r.Extrapolated, Ci95Low = r.ValueCi95Low, Ci95High = r.ValueCi95High, P = r.ValueP, Interval = r.Interval,
        Replicates = r.Replicates, FailedReplicates = r.FailedReplicates, FailedReasons = r.FailedReasons, Note = r.Note,
    };

    static void Validate(EstimationInput input, EstimateOptions options)
    {
        if (options.Replicates < 0 || options.Replicates > 100_000)
            throw new UserInputException($"--replicates: value '{options.Replicates}' must be between 0 and 100000 (0 skips intervals; 1000 or more for numbers you report).");
        if (input.TreatmentGroups.Count == 0)
            throw new UserInputException($"{input.Source}: no treatment runs (methods other than '{input.BaselineGroup}') to compare; fix: add a distilled method to the config's \"methods\" (e.g. [\"scratch\", \"logit-kd\"]) and `harness run` it into this folder " +
                                         "(or run the rest of an `--only` subset); --treatment names groups only for `estimate --table FILE`.");
    }

    static ArmFit Arm(string group, LossArm? loss, CurveArm? curve, IReadOnlyList<MetricPoint> points, string? reason) => new()
    {
        Group = group, Points = points.Count,
        Law = loss is not null && points.Count > 0 ? loss.ToFitted() with { AtBound = LawBounds.Check(loss.Law, points.Min(p => p.Value)) } : loss?.ToFitted() ?? curve?.ToFitted(),
        Sizes = LossArm.SizesOf(points).Select(s => new SizeCost(s.Student, s.Params, s.FlopsPerToken, s.MinTokens, s.MaxTokens)).ToList(),
        MinCompute = points.Count > 0 ? points.Min(p => p.Flops.StudentTrain) : 0, MaxCompute = points.Count > 0 ? points.Max(p => p.Flops.StudentTrain) : 0,
        Note = reason ?? "",
    };

    /// <summary>The bootstrap seed of one comparison: the run's seed, the metric and the treatment, so comparisons draw independently.</summary>
    static int Hash(int seed, string metric, string treatment)
    {
        unchecked
        {
            var h = seed;
            foreach (var c in metric + "\u0001" + treatment) h = h * 31 + c;
            return h;
        }
    }
}
