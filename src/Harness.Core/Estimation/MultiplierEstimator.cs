using System.Diagnostics;
using System.Globalization;
using Harness.Results;
using MathNet.Numerics.Distributions;

namespace Harness.Estimation;

/// <summary>
/// The efficiency-multiplier estimator (issue 12; formulas in README "Estimation").  Three estimands, each under its own
/// name, never averaged together, all on finished runs of both arms by default:
/// <list type="bullet">
/// <item>(a) <c>frontier</c>: M_F(y) = C*_scratch(y) / C*_treatment(y), each arm's compute frontier from its own L(N, D)
/// fit by the same rule (<see cref="LossArm"/>), summarised as the geometric mean over a grid of y inside the range both
/// arms' data cover; grid points where either frontier leaves its data are listed and kept out of the summary.</item>
/// <item>(b) <c>same_size</c>: per (student, budget, seed) pair, the tokens a scratch model of that size needs to reach
/// the treatment's value, read off the scratch arm's fitted curve of that size shifted by the pair's own seed×size
/// residual (so the shared seed effect cancels), ÷ the treatment's tokens; censored to a bound at the edge of the scratch
/// runs' token range, counted and kept.</item>
/// <item>(c) <c>effective_data</c>: e^τ from the joint augmented law of Ho et al. 2024 (<see cref="AugmentedLaw"/>),
/// τ constant or linear in ln N by leave-one-size-out cross-validation; model-based, so it extrapolates and says so.</item>
/// </list>
/// Compute follows an accounting scenario (<see cref="AccountingScenario"/>; Busbridge et al. 2025).
/// <para>
/// Intervals: a cluster bootstrap with the seed as the unit (Cameron, Gelbach &amp; Miller 2008, "Bootstrap-based
/// improvements for inference with clustered errors"): seeds are drawn with replacement and a drawn seed brings both
/// arms' runs, every replicate is refitted cold.  With G seeds the interval is ln M ± t_(G−1, 0.975)·√(G/(G−1))·sd*,
/// the few-clusters correction of Cameron &amp; Miller 2015 ("A practitioner's guide to cluster-robust inference"),
/// because a percentile interval over 3 clusters covers about 75%.  With fewer than 3 seeds, and for the placebo, a
/// parametric bootstrap: each arm's fit plus residual blocks (one size × seed across budgets) redrawn from the pool,
/// inflated by √(n/(n−p)); for the placebo, whose arms are both scratch, one law fitted on all scratch runs.  Failed replicates are counted in every row.  The minimum detectable effect is
/// exp((t_0.975 + t_0.80)·se) (two-sided 5%, 80% power).
/// </para>
/// </summary>
public static class MultiplierEstimator
{
    /// <summary>Group name of the placebo "treatment" (a scratch seed).</summary>
    public const string PlaceboGroup = "placebo";
    /// <summary>Points of the y grid over the common range of estimand (a).</summary>
    public const int GridPoints = 15;
    /// <summary>A benchmark accuracy is estimated only when the baseline's best run beats chance by this many binomial standard errors.</summary>
    public const double ChanceSeparation = 4;

    public static EstimateResult EstimateResultsFolder(string dir, EstimateOptions options) =>
        Estimate(ResultsFolderLoader.Load(dir), options);

    public static EstimateResult EstimateTable(string path, string baseline, IReadOnlyList<string> treatments, EstimateOptions options) =>
        Estimate(ExternalTableLoader.Load(path, baseline, treatments), options);

    // ---- one comparison (a treatment, or the placebo) of one metric --------------------------------------------------------

    readonly record struct Extras(double PerToken, double Fixed, double LnRatio);

    sealed class Design
    {
        public required MetricSeries Series { get; init; }
        public required IReadOnlyList<AccountingScenario> Scenarios { get; init; }
        public required Dictionary<string, Extras> Extras { get; init; }
        public required bool Paired { get; init; }
        public bool UsesSizes { get; set; }
        public SizeSupport[] Grid { get; set; } = [];
        public double[] YGrid { get; set; } = [];
        public bool[] YSupported { get; set; } = [];
        public bool TauLinear { get; set; }
        public double LnNCenter { get; set; }
        public double? CvConstant { get; set; }
        public double? CvLinear { get; set; }
    }

    sealed record Cell(MetricPoint Point, MetricPoint? Twin, double NeededTokens, double UsedTokens, string Bound, Dictionary<string, double> LnM);

    sealed class Evaluation
    {
        public Dictionary<string, double> LnM { get; } = new(StringComparer.Ordinal);
        public LossArm? BaseArm, TreatArm;
        public CurveArm? BaseCurve, TreatCurve;
        public AugmentedLaw? Augmented;
        public List<Cell> Cells { get; } = [];
        /// <summary>[scenario][grid index]: baseline and treatment frontier points.</summary>
        public Dictionary<string, (FrontierPoint Base, FrontierPoint Treat)[]> Curve { get; } = new(StringComparer.Ordinal);
        public string? BaseReason, TreatReason;
    }

    static string Key(string estimand, string scenario, string what) => $"{estimand}|{scenario}|{what}";

    static double LnRatio(AccountingScenario s, MetricPoint p) => Math.Log(p.Flops.StudentTrain) - Math.Log(s.Compute(p.Flops));

    static Evaluation Evaluate(Design design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail)
    {
        var ev = new Evaluation();
        var kind = design.Series.Kind;
        if (design.UsesSizes)
        {
            ev.BaseArm = LossArm.Fit(baseline, out ev.BaseReason);
            ev.TreatArm = LossArm.Fit(treatment, out ev.TreatReason);
        }
        else
        {
            ev.BaseCurve = CurveArm.Fit(baseline, kind, design.Series.Chance, out ev.BaseReason);
            ev.TreatCurve = CurveArm.Fit(treatment, kind, design.Series.Chance, out ev.TreatReason);
        }

        // (a) frontier to frontier over the fixed y grid.
        foreach (var s in design.Scenarios)
        {
            var x = design.Extras[s.Name];
            var curve = new (FrontierPoint, FrontierPoint)[design.YGrid.Length];
            for (var i = 0; i < design.YGrid.Length; i++)
            {
                var y = design.YGrid[i];
                FrontierPoint b, t;
                if (ev.BaseArm is not null && ev.TreatArm is not null)
                {
                    b = ev.BaseArm.ComputeToReach(y, design.Grid);
                    t = ev.TreatArm.ComputeToReach(y, design.Grid, x.PerToken, x.Fixed);
                }
                else if (ev.BaseCurve is not null && ev.TreatCurve is not null)
                {
                    var cb = ev.BaseCurve.ComputeToReach(y);
                    var ct = ev.TreatCurve.ComputeToReach(y);
                    b = new FrontierPoint(cb, double.NaN, double.NaN, ev.BaseCurve.Supports(cb), false);
                    t = new FrontierPoint(ct * Math.Exp(-x.LnRatio), double.NaN, double.NaN, ev.TreatCurve.Supports(ct), false);
                }
                else
                {
                    b = t = new FrontierPoint(double.NaN, double.NaN, double.NaN, false, false);
                }
                curve[i] = (b, t);
                ev.LnM[Key(Estimand.Frontier, s.Name, $"y{i}")] = Math.Log(b.Compute) - Math.Log(t.Compute);
            }
            if (detail) ev.Curve[s.Name] = curve;
        }
        AddFrontierSummary(design, ev.LnM);

        if (!design.UsesSizes || kind != MetricKind.Loss) return ev;

        // (b) paired same-size gain.
        if (ev.BaseArm is { } arm)
        {
            var baseFinals = baseline.Where(p => p.IsFinal).ToList();
            var shift = baseFinals.GroupBy(p => (p.Params, p.Seed))
                                .ToDictionary(g => g.Key, g => g.Average(p => p.Value - arm.Law.Predict(p.Params, p.Tokens)));
            var twins = baseFinals.GroupBy(p => (p.Model, p.Budget, p.Seed)).ToDictionary(g => g.Key, g => g.First());
            var cells = new List<Cell>();
            foreach (var p in treatment.Where(p => p.IsFinal))
            {
                var r = design.Paired && shift.TryGetValue((p.Params, p.Seed), out var v) ? v : 0;
                // Inside its own seed's scratch runs of this size, read the tokens off them (interpolated in ln D between
                // finished budgets): a treatment identical to scratch then gives exactly 1.  Outside them, the fitted
                // curve shifted by the seed's residual, censored at the edge of the scratch token range below.
                var needed = (design.Paired ? SameSeedTokens(baseFinals, p) : null) ?? arm.Law.TokensToReach(p.Params, p.Value - r);
                var exact = arm.Sizes.FirstOrDefault(z => z.Params == p.Params);
                var (dMin, dMax) = exact is not null ? (exact.MinTokens, exact.MaxTokens) : LossArm.TokenRange(arm.Sizes, p.Params);
                var bound = double.IsNaN(needed) ? MultiplierBound.None
                    : needed > dMax * 1.0001 ? MultiplierBound.Lower : needed < dMin / 1.0001 ? MultiplierBound.Upper : MultiplierBound.None;
                var used = bound == MultiplierBound.Lower ? dMax : bound == MultiplierBound.Upper ? dMin : needed;
                var c = exact?.FlopsPerToken ?? LossArm.FlopsPerToken(arm.Sizes, p.Params);
                var lnM = design.Scenarios.ToDictionary(s => s.Name, s => Math.Log(c * used) - Math.Log(s.Compute(p.Flops)), StringComparer.Ordinal);
                twins.TryGetValue((p.Model, p.Budget, p.Seed), out var twin);
                cells.Add(new Cell(p, twin, needed, used, bound, lnM));
            }
            foreach (var s in design.Scenarios)
            {
                ev.LnM[Key(Estimand.SameSize, s.Name, "summary")] = cells.Count == 0 ? double.NaN : cells.Average(c => c.LnM[s.Name]);
                foreach (var g in cells.GroupBy(c => c.Point.Model))
                    ev.LnM[Key(Estimand.SameSize, s.Name, "by:" + g.Key)] = g.Average(c => c.LnM[s.Name]);
            }
            if (detail) ev.Cells.AddRange(cells);
        }

        // (c) effective data.
        var aug = AugmentedLaw.Fit(baseline, treatment, design.TauLinear, ev.BaseArm?.Theta, design.LnNCenter);
        ev.Augmented = aug;
        var finals = treatment.Where(p => p.IsFinal).ToList();
        foreach (var s in design.Scenarios)
        {
            ev.LnM[Key(Estimand.EffectiveData, s.Name, "summary")] = aug is null || finals.Count == 0 ? double.NaN
                : finals.Average(p => aug.Tau(p.Params) + LnRatio(s, p));
            foreach (var g in finals.GroupBy(p => p.Model))
                ev.LnM[Key(Estimand.EffectiveData, s.Name, "by:" + g.Key)] = aug is null ? double.NaN
                    : aug.Tau(g.First().Params) + g.Average(p => LnRatio(s, p));
        }
        return ev;
    }

    static void AddFrontierSummary(Design design, Dictionary<string, double> lnM)
    {
        foreach (var s in design.Scenarios)
        {
            var idx = Enumerable.Range(0, design.YGrid.Length).Where(i => design.YSupported[i]).ToList();
            lnM[Key(Estimand.Frontier, s.Name, "summary")] = idx.Count == 0 ? double.NaN : idx.Average(i => lnM[Key(Estimand.Frontier, s.Name, $"y{i}")]);
        }
    }

    /// <summary>Fixes everything that must not change between replicates: the y grid, τ's form, the accounting extras.</summary>
    static Design MakeDesign(MetricSeries series, IReadOnlyList<AccountingScenario> scenarios, IReadOnlyList<MetricPoint> baseline,
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
            return new Extras(perToken, fixedCost, lnRatio);
        }, StringComparer.Ordinal);
        var all = baseline.Concat(treatment).ToList();
        var usesSizes = series.Kind == MetricKind.Loss && all.Count > 0 && all.All(p => p.Params > 0 && p.Tokens > 0);
        var design = new Design { Series = series, Scenarios = scenarios, Extras = extras, Paired = paired, UsesSizes = usesSizes };
        if (usesSizes)
        {
            design.Grid = LossArm.SizesOf(baseline);
            design.LnNCenter = all.Average(p => Math.Log(p.Params));
            var cvC = AugmentedLaw.CrossValidationError(baseline, treatment, linear: false);
            var cvL = AugmentedLaw.CrossValidationError(baseline, treatment, linear: true);
            design.CvConstant = double.IsFinite(cvC) ? cvC : null;
            design.CvLinear = double.IsFinite(cvL) ? cvL : null;
            design.TauLinear = double.IsFinite(cvC) && double.IsFinite(cvL) && cvL < cvC;
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

    // ---- bootstrap ------------------------------------------------------------------------------------------------------

    sealed record Replicates(Dictionary<string, double[]> Values, string Interval, int Clusters, int Count);

    static IReadOnlyList<MetricPoint> Relabel(IEnumerable<MetricPoint> points, string seed) => points.Select(p => p with { Seed = seed }).ToList();

    static Replicates Bootstrap(Design design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, Evaluation main,
                                int count, int seed, bool forceParametric)
    {
        var baseSeeds = baseline.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToArray();
        var treatSeeds = treatment.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToArray();
        var shared = baseSeeds.Intersect(treatSeeds).ToArray();
        var sharedDesign = shared.Length == baseSeeds.Length && shared.Length == treatSeeds.Length;
        var clusters = sharedDesign ? shared.Length : Math.Min(baseSeeds.Length, treatSeeds.Length);
        var parametric = forceParametric || clusters < 3;
        var keys = main.LnM.Keys.ToArray();
        var values = keys.ToDictionary(k => k, _ => new double[count], StringComparer.Ordinal);
        if (count == 0) return new Replicates(values, parametric ? "parametric_residual" : "cluster_seed_t", clusters, 0);

        var byBaseSeed = baseline.GroupBy(p => p.Seed).ToDictionary(g => g.Key, g => g.ToList());
        var byTreatSeed = treatment.GroupBy(p => p.Seed).ToDictionary(g => g.Key, g => g.ToList());
        var residuals = parametric ? ResidualModel.Build(design, baseline, treatment, main, pooled: forceParametric) : null;
        void Fail(int b) { foreach (var k in keys) values[k][b] = double.NaN; }
        void Store(int b, IReadOnlyList<MetricPoint> bs, IReadOnlyList<MetricPoint> ts)
        {
            Evaluation ev;
            try { ev = Evaluate(design, bs, ts, detail: false); }
            catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException) { Fail(b); return; }
            foreach (var k in keys) values[k][b] = ev.LnM.TryGetValue(k, out var v) ? v : double.NaN;
        }
        if (parametric)
        {
            Parallel.For(0, count, b =>
            {
                if (residuals is null) { Fail(b); return; }
                var (bs, ts) = residuals.Draw(new Random(Estimation.Bootstrap.DeriveSeed(seed, b)));
                Store(b, bs, ts);
            });
        }
        else
        {
            // Replicate b's draw of seeds; the statistic depends only on the multiset drawn (order only renames the
            // clusters), so each distinct multiset is refitted once: with 3 seeds, 1000 replicates are 10 distinct refits.
            var draws = new string[count];
            for (var b = 0; b < count; b++)
            {
                var rng = new Random(Estimation.Bootstrap.DeriveSeed(seed, b));
                var drawn = sharedDesign
                    ? Enumerable.Range(0, shared.Length).Select(_ => rng.Next(shared.Length)).Order().Select(i => "s" + i)
                    : Enumerable.Range(0, baseSeeds.Length).Select(_ => rng.Next(baseSeeds.Length)).Order().Select(i => "b" + i)
                                .Concat(Enumerable.Range(0, treatSeeds.Length).Select(_ => rng.Next(treatSeeds.Length)).Order().Select(i => "t" + i));
                draws[b] = string.Join(",", drawn);
            }
            var distinct = draws.Distinct(StringComparer.Ordinal).ToArray();
            var firstOf = distinct.ToDictionary(d => d, d => Array.IndexOf(draws, d), StringComparer.Ordinal);
            Parallel.ForEach(distinct, d =>
            {
                var bl = new List<MetricPoint>();
                var tl = new List<MetricPoint>();
                var parts = d.Split(',');
                for (var j = 0; j < parts.Length; j++)
                {
                    var i = int.Parse(parts[j][1..], CultureInfo.InvariantCulture);
                    var label = parts[j][0] + "#" + j.ToString(CultureInfo.InvariantCulture);
                    switch (parts[j][0])
                    {
                        case 's':
                            bl.AddRange(Relabel(byBaseSeed[shared[i]], label));
                            tl.AddRange(Relabel(byTreatSeed[shared[i]], label));
                            break;
                        case 'b': bl.AddRange(Relabel(byBaseSeed[baseSeeds[i]], label)); break;
                        default: tl.AddRange(Relabel(byTreatSeed[treatSeeds[i]], label)); break;
                    }
                }
                Store(firstOf[d], bl, tl);
            });
            for (var b = 0; b < count; b++)
            {
                var first = firstOf[draws[b]];
                if (first != b) foreach (var k in keys) values[k][b] = values[k][first];
            }
        }
        return new Replicates(values, parametric ? "parametric_residual" : "cluster_seed_t", clusters, count);
    }

    /// <summary>
    /// Tokens at which the same-seed scratch runs of <paramref name="p"/>'s size reach its value: linear interpolation in
    /// ln D between consecutive finished budgets whose values bracket it; null when no pair of budgets does.
    /// </summary>
    static double? SameSeedTokens(IReadOnlyList<MetricPoint> baseFinals, MetricPoint p)
    {
        var own = baseFinals.Where(q => q.Params == p.Params && q.Seed == p.Seed && q.Tokens > 0 && double.IsFinite(q.Value))
                            .OrderBy(q => q.Tokens).ToList();
        for (int i = 0; i + 1 < own.Count; i++)
        {
            var (a, b) = (own[i], own[i + 1]);
            if (p.Value > Math.Max(a.Value, b.Value) || p.Value < Math.Min(a.Value, b.Value)) continue;
            if (a.Value == b.Value) return a.Tokens;
            double w = (p.Value - a.Value) / (b.Value - a.Value);
            return Math.Exp(Math.Log(a.Tokens) + w * (Math.Log(b.Tokens) - Math.Log(a.Tokens)));
        }
        return own.Count == 1 && own[0].Value == p.Value ? own[0].Tokens : null;
    }

    /// <summary>Parametric bootstrap data: each arm's fitted values times redrawn residual blocks (one size × seed, across budgets).</summary>
    sealed class ResidualModel
    {
        sealed record Block(bool Treated, List<(MetricPoint Point, double Fitted)> Points);
        readonly List<Block> blocks = [];
        readonly Dictionary<int, List<double[]>> pool = [];
        bool logScale;
        double inflateBase, inflateTreat;

        /// <param name="pooled">Placebo: both arms are scratch, so one law fitted on all their runs gives the fitted values and
        /// the residual blocks; an arm of one seed would otherwise absorb that seed's effect into its own fit and the
        /// interval would miss the seed-to-seed spread the placebo exists to show.</param>
        public static ResidualModel? Build(Design design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, Evaluation main,
                                           bool pooled)
        {
            Func<MetricPoint, double>? fb = null, ft = null;
            var log = false;
            var all = baseline.Concat(treatment).ToList();
            if (pooled && design.UsesSizes && LossArm.Fit(all, out _) is { } pa)
            {
                fb = ft = p => pa.Law.Predict(p.Params, p.Tokens);
                log = true;
            }
            else if (pooled && !design.UsesSizes && CurveArm.Fit(all, design.Series.Kind, design.Series.Chance, out _) is { } pc)
            {
                fb = ft = p => pc.Predict(p.Flops.StudentTrain);
                log = design.Series.Kind == MetricKind.Loss;
            }
            else if (main.BaseArm is { } ba && main.TreatArm is { } ta)
            {
                fb = p => ba.Law.Predict(p.Params, p.Tokens);
                ft = p => ta.Law.Predict(p.Params, p.Tokens);
                log = true;
            }
            else if (main.BaseCurve is { } bc && main.TreatCurve is { } tc)
            {
                fb = p => bc.Predict(p.Flops.StudentTrain);
                ft = p => tc.Predict(p.Flops.StudentTrain);
                log = design.Series.Kind == MetricKind.Loss;
            }
            if (fb is null || ft is null) return null;
            var model = new ResidualModel { logScale = log };
            var parameters = design.UsesSizes ? 5 : design.Series.Kind == MetricKind.Loss ? 3 : 3;
            double Inflate(int n) => n > parameters ? Math.Sqrt(n / (double)(n - parameters)) : 1;
            model.inflateBase = Inflate(pooled ? all.Count : baseline.Count);
            model.inflateTreat = Inflate(pooled ? all.Count : treatment.Count);
            foreach (var (points, treated, f) in new[] { (baseline, false, fb), (treatment, true, ft) })
                foreach (var g in points.GroupBy(p => (p.Model, p.Params, p.Seed)))
                {
                    var ordered = g.OrderBy(p => p.Flops.StudentTrain).Select(p => (p, f(p))).ToList();
                    var block = new Block(treated, ordered);
                    model.blocks.Add(block);
                    var inflate = treated ? model.inflateTreat : model.inflateBase;
                    var r = ordered.Select(x => inflate * (log ? Math.Log(x.p.Value) - Math.Log(x.Item2) : x.p.Value - x.Item2)).ToArray();
                    if (!model.pool.TryGetValue(r.Length, out var list)) model.pool[r.Length] = list = [];
                    list.Add(r);
                }
            return model;
        }

        public (IReadOnlyList<MetricPoint>, IReadOnlyList<MetricPoint>) Draw(Random rng)
        {
            var b = new List<MetricPoint>();
            var t = new List<MetricPoint>();
            foreach (var block in blocks)
            {
                var candidates = pool[block.Points.Count];
                var r = candidates[rng.Next(candidates.Count)];
                for (var i = 0; i < block.Points.Count; i++)
                {
                    var (p, fitted) = block.Points[i];
                    var value = logScale ? fitted * Math.Exp(r[i]) : fitted + r[i];
                    (block.Treated ? t : b).Add(p with { Value = value });
                }
            }
            return (b, t);
        }
    }

    readonly record struct Interval(double? Low, double? High, double? Mde, int Failed);

    static Interval IntervalOf(double lnM, Replicates reps, string key)
    {
        if (reps.Count == 0 || !reps.Values.TryGetValue(key, out var values)) return new Interval(null, null, null, 0);
        var finite = values.Where(double.IsFinite).ToArray();
        var failed = values.Length - finite.Length;
        if (!double.IsFinite(lnM) || finite.Length < 2 || failed > values.Length / 2) return new Interval(null, null, null, failed);
        var mean = finite.Average();
        var sd = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1));
        double crit, power;
        if (reps.Interval == "cluster_seed_t")
        {
            var g = reps.Clusters;
            sd *= Math.Sqrt(g / (g - 1.0));
            crit = StudentT.InvCDF(0, 1, g - 1, 0.975);
            power = StudentT.InvCDF(0, 1, g - 1, 0.80);
        }
        else
        {
            crit = Normal.InvCDF(0, 1, 0.975);
            power = Normal.InvCDF(0, 1, 0.80);
        }
        return new Interval(Math.Exp(lnM - crit * sd), Math.Exp(lnM + crit * sd), Math.Exp((crit + power) * sd), failed);
    }

    // ---- the whole estimate ---------------------------------------------------------------------------------------------

    public static EstimateResult Estimate(EstimationInput input, EstimateOptions options)
    {
        var clock = Stopwatch.StartNew();
        Validate(input, options);
        var scenarios = input.FixedAccounting ?? AccountingScenario.Resolve(options.Accounting);
        var selected = SelectMetrics(input, options);
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
            var withheld = WithheldReason(series, baseline);
            var arms = new List<ArmFit>();
            var effective = new List<EffectiveDataFit>();

            // Placebo first: its numbers go beside every headline of this metric.
            var placebo = new Dictionary<string, (double? M, double? Lo, double? Hi)>(StringComparer.Ordinal);
            if (options.Placebo && withheld is null)
            {
                var scratchSeeds = baseline.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToList();
                if (scratchSeeds.Count >= 2 && baseline.Any(p => p.Params > 0) || scratchSeeds.Count >= 2 && series.Kind == MetricKind.Score)
                {
                    var s0 = scratchSeeds[0];
                    var pb = baseline.Where(p => p.Seed != s0).ToList();
                    var pt = baseline.Where(p => p.Seed == s0).Select(p => p with { Group = PlaceboGroup }).ToList();
                    var design = MakeDesign(series, [AccountingScenario.Student], pb, pt, paired: false);
                    var ev = Evaluate(design, pb, pt, detail: true);
                    SetSupport(design, ev);
                    var reps = Bootstrap(design, pb, pt, ev, options.Replicates, Hash(options.Seed, series.Metric, PlaceboGroup), forceParametric: true);
                    foreach (var estimand in Estimand.All)
                    {
                        var key = Key(estimand, "student", "summary");
                        if (!ev.LnM.TryGetValue(key, out var ln)) continue;
                        var ci = IntervalOf(ln, reps, key);
                        var m = double.IsFinite(ln) ? Math.Exp(ln) : (double?)null;
                        var excludes = ci.Low is { } lo && ci.High is { } hi && (lo > 1 || hi < 1);
                        placebo[estimand] = (m, ci.Low, ci.High);
                        placebos.Add(new PlaceboResult
                        {
                            Metric = series.Metric, Estimand = estimand, TreatmentSeed = s0, M = m, Ci95Low = ci.Low, Ci95High = ci.High,
                            ExcludesOne = excludes, Status = m is null ? MultiplierStatus.NoFit : MultiplierStatus.Ok,
                        });
                        rows.Add(new MultiplierRow
                        {
                            Kind = MultiplierKind.Placebo, Estimand = estimand, Treatment = PlaceboGroup, Metric = series.Metric, Accounting = "student",
                            Seed = s0, M = m, MCi95Low = ci.Low, MCi95High = ci.High, Status = m is null ? MultiplierStatus.NoFit : MultiplierStatus.Ok,
                            Pairs = pt.Count(p => p.IsFinal), Seeds = scratchSeeds.Count, Interval = reps.Interval, Replicates = reps.Count,
                            FailedReplicates = ci.Failed, Mde = ci.Mde,
                            Note = $"scratch seed {s0} scored as a treatment against scratch seeds {string.Join(", ", scratchSeeds.Skip(1))}; the truth is 1",
                        });
                        if (excludes)
                            warnings.Add($"PLACEBO FAILS: {series.Metric} {estimand}: a scratch seed scored as a treatment gives M = {Fmt(m)} [{Fmt(ci.Low)}, {Fmt(ci.High)}], " +
                                         "which excludes 1; this design or estimator finds effects where there are none, so do not trust the other numbers of this metric.");
                    }
                }
            }

            var scratchArmAdded = false;
            for (var t = 0; t < input.TreatmentGroups.Count; t++)
            {
                var name = input.TreatmentGroups[t];
                var treatment = usable.Where(p => p.Group == name).ToList();
                if (treatment.Count == 0) continue;
                var design = MakeDesign(series, scenarios, baseline, treatment, paired: true);
                if (withheld is not null)
                {
                    foreach (var s in scenarios)
                        foreach (var estimand in Estimand.All)
                            rows.Add(new MultiplierRow
                            {
                                Kind = MultiplierKind.Summary, Estimand = estimand, Treatment = name, Metric = series.Metric, Accounting = s.Name,
                                Status = MultiplierStatus.Withheld, Note = withheld, Pairs = treatment.Count(p => p.IsFinal),
                            });
                    continue;
                }
                var ev = Evaluate(design, baseline, treatment, detail: true);
                SetSupport(design, ev);
                var reps = Bootstrap(design, baseline, treatment, ev, options.Replicates, Hash(options.Seed, series.Metric, name), forceParametric: false);
                rows.AddRange(Rows(design, ev, reps, name, series, baseline, treatment, placebo));
                if (!scratchArmAdded)
                {
                    arms.Add(Arm(input.BaselineGroup, ev.BaseArm, ev.BaseCurve, baseline, ev.BaseReason));
                    scratchArmAdded = true;
                }
                arms.Add(Arm(name, ev.TreatArm, ev.TreatCurve, treatment, ev.TreatReason));
                if (ev.Augmented is { } aug)
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

        var failedReplicates = rows.Where(r => r.Kind == MultiplierKind.Summary).Sum(r => r.FailedReplicates);
        if (failedReplicates > 0)
            notes.Add($"{failedReplicates} bootstrap replicate value(s) failed across the summary rows (refit without a finite value); each row's failed_replicates column counts them.");
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
                Replicates = r.Replicates, FailedReplicates = r.FailedReplicates, Mde = r.Mde,
                PlaceboM = r.PlaceboM, PlaceboCi95Low = r.PlaceboCi95Low, PlaceboCi95High = r.PlaceboCi95High, Note = r.Note,
            }).ToList(),
            Placebo = placebos, Warnings = warnings, Notes = notes,
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

    /// <summary>Grid points where either frontier leaves its data (student accounting) are kept out of every summary.</summary>
    static void SetSupport(Design design, Evaluation ev)
    {
        if (ev.Curve.TryGetValue("student", out var curve))
            design.YSupported = curve.Select(c => c.Base.Supported && c.Treat.Supported && double.IsFinite(c.Base.Compute) && double.IsFinite(c.Treat.Compute)).ToArray();
        AddFrontierSummary(design, ev.LnM);
    }

    static ArmFit Arm(string group, LossArm? loss, CurveArm? curve, IReadOnlyList<MetricPoint> points, string? reason) => new()
    {
        Group = group, Points = points.Count, Law = loss?.ToFitted() ?? curve?.ToFitted(),
        Sizes = LossArm.SizesOf(points).Select(s => new SizeCost(s.Student, s.Params, s.FlopsPerToken, s.MinTokens, s.MaxTokens)).ToList(),
        MinCompute = points.Count > 0 ? points.Min(p => p.Flops.StudentTrain) : 0, MaxCompute = points.Count > 0 ? points.Max(p => p.Flops.StudentTrain) : 0,
        Note = reason ?? "",
    };

    static int Hash(int seed, string metric, string treatment)
    {
        unchecked
        {
            var h = seed;
            foreach (var c in metric + "\u0001" + treatment) h = h * 31 + c;
            return h;
        }
    }

    static string Fmt(double? v) => v is { } x ? x.ToString(x >= 100 || x < 0.01 ? "0.##e0" : "0.###", CultureInfo.InvariantCulture) : "–";

    /// <summary>
    /// Why a score metric gets no multiplier: its baseline's best finished run is within <see cref="ChanceSeparation"/>
    /// binomial standard errors √(p₀(1−p₀)/n) of chance p₀ (n: items scored), so what the fit would invert is noise.
    /// </summary>
    static string? WithheldReason(MetricSeries series, IReadOnlyList<MetricPoint> baseline)
    {
        if (series.Kind != MetricKind.Score) return null;
        var finals = baseline.Where(p => p.IsFinal).ToList();
        if (finals.Count == 0 || !double.IsFinite(series.Chance)) return null;
        var best = finals.MaxBy(p => p.Value)!;
        var n = best.Items > 0 ? best.Items : 100;
        var p0 = Math.Max(series.Chance, 1.0 / n);
        var se = Math.Sqrt(p0 * (1 - p0) / n);
        if (best.Value >= series.Chance + ChanceSeparation * se) return null;
        var task = series.Metric.Contains('/') ? series.Metric[..series.Metric.IndexOf('/')] : series.Metric;
        return string.Create(CultureInfo.InvariantCulture,
            $"accuracy multiplier withheld: the best scratch run scores {best.Value:0.###}, less than {ChanceSeparation} binomial standard errors ({se:0.###}, n = {n}) above chance {series.Chance:0.###}; see {task}/{ResultsFolderLoader.TaskLoss}");
    }

    static List<MultiplierRow> Rows(Design design, Evaluation ev, Replicates reps, string treatment, MetricSeries series,
                                    IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatmentPoints,
                                    Dictionary<string, (double? M, double? Lo, double? Hi)> placebo)
    {
        var rows = new List<MultiplierRow>();
        var lower = series.Kind == MetricKind.Loss;
        var twins = baseline.Where(p => p.IsFinal).GroupBy(p => (p.Model, p.Budget, p.Seed)).ToDictionary(g => g.Key, g => g.First());
        var finals = treatmentPoints.Where(p => p.IsFinal).ToList();
        var paired = finals.Where(p => twins.ContainsKey((p.Model, p.Budget, p.Seed))).ToList();
        var won = paired.Count(p => lower ? p.Value < twins[(p.Model, p.Budget, p.Seed)].Value : p.Value > twins[(p.Model, p.Budget, p.Seed)].Value);
        double? M(double ln) => double.IsFinite(ln) ? Math.Exp(ln) : double.IsPositiveInfinity(ln) ? double.PositiveInfinity : null;
        MultiplierRow Base(MultiplierKind kind, string estimand, AccountingScenario s, string key, out Interval ci)
        {
            var ln = ev.LnM.TryGetValue(key, out var v) ? v : double.NaN;
            ci = IntervalOf(ln, reps, key);
            return new MultiplierRow
            {
                Kind = kind, Estimand = estimand, Treatment = treatment, Metric = series.Metric, Accounting = s.Name,
                M = M(ln), MCi95Low = ci.Low, MCi95High = ci.High, Seeds = reps.Clusters, Interval = reps.Interval, Replicates = reps.Count,
                FailedReplicates = ci.Failed, Status = double.IsFinite(ln) ? MultiplierStatus.Ok : MultiplierStatus.NoFit,
            };
        }
        MultiplierRow WithPlacebo(MultiplierRow r) => placebo.TryGetValue(r.Estimand, out var p)
            ? r with { PlaceboM = p.M, PlaceboCi95Low = p.Lo, PlaceboCi95High = p.Hi } : r;
        var supported = design.YSupported.Count(x => x);

        foreach (var s in design.Scenarios)
        {
            // (a)
            var a = Base(MultiplierKind.Summary, Estimand.Frontier, s, Key(Estimand.Frontier, s.Name, "summary"), out var aci);
            var aNote = design.YGrid.Length == 0 ? "the arms' finished values share no range"
                : supported == 0 ? "every y of the common range needs one frontier outside its data"
                : string.Create(CultureInfo.InvariantCulture, $"geometric mean of M_F(y) over {supported} of {design.YGrid.Length} y in [{design.YGrid[0]:0.####}, {design.YGrid[^1]:0.####}]");
            if (ev.BaseReason is not null || ev.TreatReason is not null) aNote = $"no frontier fit: {ev.BaseReason ?? ev.TreatReason}";
            rows.Add(WithPlacebo(a with
            {
                Pairs = finals.Count, Won = won, ExtrapolatedCount = design.YGrid.Length - supported, Mde = aci.Mde, Note = aNote,
                Status = a.M is null ? (design.YGrid.Length == 0 || supported == 0 ? MultiplierStatus.Extrapolated : MultiplierStatus.NoFit) : MultiplierStatus.Ok,
            }));
            if (ev.Curve.TryGetValue(s.Name, out var curve))
                for (var i = 0; i < curve.Length; i++)
                {
                    var r = Base(MultiplierKind.Curve, Estimand.Frontier, s, Key(Estimand.Frontier, s.Name, $"y{i}"), out _);
                    var (b, t) = curve[i];
                    var support = new List<string>();
                    if (!design.YSupported[i]) support.Add("D");
                    if (b.AtSizeEdge || t.AtSizeEdge) support.Add("N-edge");
                    rows.Add(r with
                    {
                        Y = design.YGrid[i], Compute = Finite(t.Compute), BaselineCompute = Finite(b.Compute),
                        Params = Finite(t.Params), Tokens = Finite(t.Tokens), BaselineTokens = Finite(b.Tokens),
                        Extrapolated = !design.YSupported[i], Support = string.Join(";", support),
                        Status = !design.YSupported[i] ? MultiplierStatus.Extrapolated : r.Status,
                    });
                }

            if (!design.UsesSizes || series.Kind != MetricKind.Loss)
            {
                var why = series.Kind == MetricKind.Score ? $"defined for loss-type metrics; see the task's {ResultsFolderLoader.TaskLoss}"
                                                          : "needs student sizes and token counts";
                foreach (var estimand in new[] { Estimand.SameSize, Estimand.EffectiveData })
                    rows.Add(new MultiplierRow
                    {
                        Kind = MultiplierKind.Summary, Estimand = estimand, Treatment = treatment, Metric = series.Metric, Accounting = s.Name,
                        Status = MultiplierStatus.Withheld, Note = why, Pairs = finals.Count, Won = won,
                    });
                continue;
            }

            // (b)
            var bRow = Base(MultiplierKind.Summary, Estimand.SameSize, s, Key(Estimand.SameSize, s.Name, "summary"), out var bci);
            var lowerCount = ev.Cells.Count(c => c.Bound == MultiplierBound.Lower);
            var upperCount = ev.Cells.Count(c => c.Bound == MultiplierBound.Upper);
            var bound = lowerCount > 0 && upperCount > 0 ? MultiplierBound.Mixed : lowerCount > 0 ? MultiplierBound.Lower : upperCount > 0 ? MultiplierBound.Upper : MultiplierBound.None;
            rows.Add(WithPlacebo(bRow with
            {
                Pairs = ev.Cells.Count, Won = won, Censored = lowerCount + upperCount, Bound = bound, Mde = bci.Mde,
                Status = bRow.M is null ? MultiplierStatus.NoFit : bound == MultiplierBound.None ? MultiplierStatus.Ok : MultiplierStatus.Censored,
                Note = ev.BaseArm is null ? $"no scratch L(N, D) fit: {ev.BaseReason}"
                    : $"geometric mean over {ev.Cells.Count} pairs" + (lowerCount + upperCount > 0
                        ? $"; {lowerCount} pair(s) beyond the scratch runs' largest budget enter at their lower bound, {upperCount} below the smallest at their upper bound" : ""),
            }));
            foreach (var g in ev.Cells.GroupBy(c => c.Point.Model).OrderBy(g => g.First().Point.Params))
            {
                var r = Base(MultiplierKind.ByStudent, Estimand.SameSize, s, Key(Estimand.SameSize, s.Name, "by:" + g.Key), out var gci);
                var lo = g.Count(c => c.Bound == MultiplierBound.Lower);
                var up = g.Count(c => c.Bound == MultiplierBound.Upper);
                var gb = lo > 0 && up > 0 ? MultiplierBound.Mixed : lo > 0 ? MultiplierBound.Lower : up > 0 ? MultiplierBound.Upper : MultiplierBound.None;
                rows.Add(r with
                {
                    Student = g.Key, Params = g.First().Point.Params, Pairs = g.Count(), Censored = lo + up, Bound = gb, Mde = gci.Mde,
                    Won = g.Count(c => c.Twin is { } tw && (lower ? c.Point.Value < tw.Value : c.Point.Value > tw.Value)),
                    Status = r.M is null ? MultiplierStatus.NoFit : gb == MultiplierBound.None ? MultiplierStatus.Ok : MultiplierStatus.Censored,
                });
            }
            foreach (var c in ev.Cells)
            {
                var ln = c.LnM[s.Name];
                rows.Add(new MultiplierRow
                {
                    Kind = MultiplierKind.Cell, Estimand = Estimand.SameSize, Treatment = treatment, Metric = series.Metric, Accounting = s.Name,
                    Student = c.Point.Model, Budget = c.Point.Budget, Seed = c.Point.Seed, Params = c.Point.Params, Y = c.Point.Value,
                    Tokens = c.Point.Tokens, Compute = s.Compute(c.Point.Flops), BaselineTokens = Finite(c.UsedTokens),
                    BaselineCompute = double.IsFinite(ln) ? Math.Exp(ln) * s.Compute(c.Point.Flops) : null,
                    M = M(ln), Bound = c.Bound, Pairs = 1, Won = c.Twin is { } tw && (lower ? c.Point.Value < tw.Value : c.Point.Value > tw.Value) ? 1 : 0,
                    Censored = c.Bound == MultiplierBound.None ? 0 : 1, Extrapolated = false, Support = c.Bound == MultiplierBound.None ? "" : "D",
                    Status = !double.IsFinite(ln) ? MultiplierStatus.NoFit : c.Bound == MultiplierBound.None ? MultiplierStatus.Ok : MultiplierStatus.Censored,
                    Note = c.Twin is { } t2 ? string.Create(CultureInfo.InvariantCulture, $"scratch twin (same size, budget, seed): {t2.Value:0.#####}") : "no scratch twin",
                });
            }

            // (c)
            var cRow = Base(MultiplierKind.Summary, Estimand.EffectiveData, s, Key(Estimand.EffectiveData, s.Name, "summary"), out var cci);
            rows.Add(WithPlacebo(cRow with
            {
                Pairs = finals.Count, Won = won, Mde = cci.Mde, Support = "model",
                Note = ev.Augmented is null ? "no joint L(N, D) fit (needs 8 finished runs, 2 sizes, both arms)"
                    : $"e^tau of the joint augmented L(N, D) (tau {(design.TauLinear ? "linear in ln N" : "constant")}, chosen by leave-one-size-out CV); " +
                      "model-based: extrapolates beyond the grid through the fitted law",
            }));
            foreach (var g in finals.GroupBy(p => p.Model).OrderBy(g => g.First().Params))
            {
                var r = Base(MultiplierKind.ByStudent, Estimand.EffectiveData, s, Key(Estimand.EffectiveData, s.Name, "by:" + g.Key), out var gci);
                rows.Add(r with { Student = g.Key, Params = g.First().Params, Pairs = g.Count(), Mde = gci.Mde, Support = "model" });
            }
        }
        return rows;
    }

    static double? Finite(double v) => double.IsFinite(v) ? v : null;

    static void Validate(EstimationInput input, EstimateOptions options)
    {
        if (options.Replicates < 0 || options.Replicates > 100_000)
            throw new UserInputException($"--replicates: value '{options.Replicates}' must be between 0 and 100000 (0 skips intervals; 1000 or more for numbers you report).");
        if (input.TreatmentGroups.Count == 0)
            throw new UserInputException($"{input.Source}: no treatment runs (methods other than '{input.BaselineGroup}') to compare; fix: include distilled runs or pass --treatment.");
    }

    /// <summary>
    /// The metrics estimated by default: every loss-type metric (val_loss, val_bpb, each task's task_loss) and each task's
    /// main score (exact_match when the task has it, else acc); per-relation sub-metrics only when asked for by name.
    /// </summary>
    static List<MetricSeries> SelectMetrics(EstimationInput input, EstimateOptions options)
    {
        var wanted = (options.Metrics ?? []).SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (wanted.Count == 0)
        {
            var byTask = input.Metrics.Where(m => m.Metric.Contains('/')).GroupBy(m => m.Metric[..m.Metric.IndexOf('/')]).ToList();
            if (byTask.Count == 0) return input.Metrics.ToList();
            var keep = new HashSet<string>(input.Metrics.Where(m => !m.Metric.Contains('/')).Select(m => m.Metric), StringComparer.Ordinal);
            foreach (var task in byTask)
            {
                foreach (var m in task.Where(m => m.Kind == MetricKind.Loss)) keep.Add(m.Metric);
                var main = task.FirstOrDefault(m => m.Metric.EndsWith("/exact_match", StringComparison.Ordinal))
                           ?? task.FirstOrDefault(m => m.Metric.EndsWith("/acc", StringComparison.Ordinal));
                if (main is not null) keep.Add(main.Metric);
            }
            return input.Metrics.Where(m => keep.Contains(m.Metric)).OrderBy(m => m.Kind == MetricKind.Loss ? 0 : 1).ToList();
        }
        var available = input.Metrics.Select(m => m.Metric).ToList();
        var unknown = wanted.Where(w => !available.Contains(w, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"--metric: value '{unknown[0]}' is not in {input.Source}; metrics present: {string.Join(", ", available)}.");
        return input.Metrics.Where(m => wanted.Contains(m.Metric, StringComparer.Ordinal)).ToList();
    }
}
