using System.Diagnostics;

namespace Harness.Estimation;

/// <summary>
/// The efficiency-multiplier estimator.
/// <para>
/// Compute-equivalent gain (the "compute-equivalent gain" of Davidson et al. 2023, "AI capabilities can be
/// significantly improved without expensive retraining"): a treatment point reaching y_T with compute C_T has
/// M = C_B(y_T) / C_T, where C_B(y) inverts the baseline's fitted compute frontier y_B(C): L(C) = E + A·C^(−α) for
/// loss-type metrics (Kaplan et al. 2020; fitted as Besiroglu et al. 2024 fit Chinchilla), a sigmoid in log-compute
/// between chance and a ceiling for scores (Owen 2024).  C_T follows an accounting scenario
/// (<see cref="AccountingScenario"/>; Busbridge et al. 2025, "Distillation Scaling Laws").
/// </para>
/// <para>
/// Same-size variant: D_B(N_T, y_T) / D_T with D_B from the baseline's L(N, D) = E + A/N^α + B/D^β (Hoffmann et al.
/// 2022), D_B(N, y) = (B / (y − E − A/N^α))^(1/β): the tokens a scratch model of the treatment's size needs.
/// </para>
/// <para>
/// Years of progress: ln M / ln G for a yearly effective-compute growth G (Ho et al. 2024, "Algorithmic progress in
/// language models").
/// </para>
/// <para>
/// Intervals: nonparametric bootstrap (Efron 1979) that resamples whole baseline runs (one seed's curve, or one table
/// row) and treatment runs with replacement, refits the frontier and recomputes M; 90% and 95% percentile intervals.
/// A point's interval reflects the baseline refits; aggregate (geometric-mean) intervals also resample the
/// treatment's runs.  Replicate b uses seed <see cref="Bootstrap.DeriveSeed"/>(seed, b), so results are reproducible
/// and independent of thread scheduling.
/// </para>
/// </summary>
public static class MultiplierEstimator
{
    /// <summary>Entry point for a sweep's results folder (the sweep runner calls this at the end of a run).</summary>
    public static EstimateResult EstimateResultsFolder(string dir, EstimateOptions options) =>
        Estimate(ResultsFolderLoader.Load(dir), options);

    /// <summary>Entry point for an external table (<see cref="ExternalTableLoader"/>).</summary>
    public static EstimateResult EstimateTable(string path, string baseline, IReadOnlyList<string> treatments, EstimateOptions options) =>
        Estimate(ExternalTableLoader.Load(path, baseline, treatments), options);

    sealed record TreatmentPoint(int Treatment, MetricPoint Point, int UnitIndex);

    sealed class MetricWork
    {
        public required MetricSeries Series { get; init; }
        public required List<MetricPoint> Baseline { get; init; }
        public required Dictionary<string, List<MetricPoint>> BaselineByUnit { get; init; }
        public required List<TreatmentPoint> Treatment { get; init; }
        public FrontierFit? Fit { get; set; }
        public string? Reason { get; set; }
        public double Min { get; set; }
        public double Max { get; set; }
        public double[] LnCB = [];
        public double[] LnDB = [];
        // [replicate][treatment point]
        public double[][] RepLnCB = [];
        public double[][] RepLnDB = [];
        public double[][] RepFrontier = [];
        public double[]?[] RepChinchilla = [];
        public int Failed;
    }

    public static EstimateResult Estimate(EstimationInput input, EstimateOptions options)
    {
        var clock = Stopwatch.StartNew();
        Validate(input, options);
        var scenarios = input.FixedAccounting ?? AccountingScenario.Resolve(options.Accounting);
        var selected = SelectMetrics(input, options);
        var baseUnits = selected.SelectMany(m => m.Points).Where(p => p.Group == input.BaselineGroup)
                                .Select(p => p.Unit).Distinct().Order(StringComparer.Ordinal).ToArray();
        var treatUnits = input.TreatmentGroups.Select(t => selected.SelectMany(m => m.Points).Where(p => p.Group == t && p.IsFinal)
                                .Select(p => p.Unit).Distinct().Order(StringComparer.Ordinal).ToArray()).ToArray();
        var treatUnitIndex = treatUnits.Select(u => u.Select((x, i) => (x, i)).ToDictionary(p => p.x, p => p.i, StringComparer.Ordinal)).ToArray();

        var work = new List<MetricWork>();
        foreach (var series in selected)
        {
            var baseline = series.Points.Where(p => p.Group == input.BaselineGroup && (!options.FinalOnly || p.IsFinal))
                                 .OrderBy(p => p.Unit, StringComparer.Ordinal).ThenBy(p => p.Flops.StudentTrain).ToList();
            var treatment = new List<TreatmentPoint>();
            for (var t = 0; t < input.TreatmentGroups.Count; t++)
                treatment.AddRange(series.Points.Where(p => p.Group == input.TreatmentGroups[t] && p.IsFinal)
                    .OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Budget, StringComparer.Ordinal).ThenBy(p => p.Unit, StringComparer.Ordinal)
                    .Select(p => new TreatmentPoint(t, p, treatUnitIndex[t][p.Unit])));
            var w = new MetricWork
            {
                Series = series,
                Baseline = baseline,
                BaselineByUnit = baseline.GroupBy(p => p.Unit).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal),
                Treatment = treatment,
                Min = baseline.Count > 0 ? baseline.Min(p => p.Value) : double.NaN,
                Max = baseline.Count > 0 ? baseline.Max(p => p.Value) : double.NaN,
            };
            string? reason = $"no baseline ({input.BaselineGroup}) points";
            w.Fit = baseline.Count == 0 ? null : FrontierFit.Fit(series, baseline, null, null, options.GridKeep, out reason);
            w.Reason = reason;
            (w.LnCB, w.LnDB) = Evaluate(w.Fit, treatment);
            work.Add(w);
        }

        // Bootstrap replicates.
        var resamples = options.Resamples;
        var treatDraws = new int[resamples][][];
        foreach (var w in work)
        {
            w.RepLnCB = new double[resamples][];
            w.RepLnDB = new double[resamples][];
            w.RepFrontier = new double[resamples][];
            w.RepChinchilla = new double[resamples][];
        }
        Parallel.For(0, resamples, b =>
        {
            var rng = new Random(Bootstrap.DeriveSeed(options.Seed, b));
            var baseDraw = Bootstrap.Resample(rng, baseUnits.Length);
            treatDraws[b] = treatUnits.Select(u => Counts(Bootstrap.Resample(rng, u.Length), u.Length)).ToArray();
            foreach (var w in work)
            {
                FrontierFit? fit = null;
                if (w.Fit is not null)
                {
                    var sample = baseDraw.SelectMany(i => w.BaselineByUnit.TryGetValue(baseUnits[i], out var pts) ? pts : []).ToList();
                    if (sample.Count > 0) fit = FrontierFit.Fit(w.Series, sample, w.Fit, rng, options.GridKeep, out _);
                }
                (w.RepLnCB[b], w.RepLnDB[b]) = Evaluate(fit, w.Treatment);
                w.RepFrontier[b] = fit is null ? [] : fit.FrontierParameters().Select(p => p.Value).ToArray();
                w.RepChinchilla[b] = fit?.ChinchillaParameters()?.Select(p => p.Value).ToArray();
                if (fit is null && w.Fit is not null) Interlocked.Increment(ref w.Failed);
            }
        });

        var rows = BuildRows(input, options, scenarios, work, treatDraws);
        return new EstimateResult
        {
            Source = input.Source,
            Baseline = input.BaselineGroup,
            Treatments = input.TreatmentGroups,
            Accounting = scenarios,
            Rows = rows,
            Fits = work.Select(Report).ToList(),
            Options = options,
            ExcludedFailedUnits = input.ExcludedFailedUnits,
            Notes = input.Notes,
            Elapsed = clock.Elapsed,
        };
    }

    static void Validate(EstimationInput input, EstimateOptions options)
    {
        if (options.Resamples < 0 || options.Resamples > 100_000)
            throw new UserInputException($"--resamples: value '{options.Resamples}' must be between 0 and 100000 (0 skips intervals).");
        if (options.GrowthPerYear is { } g && (!double.IsFinite(g) || g <= 1))
            throw new UserInputException($"--growth-per-year: value '{g}' must be a factor greater than 1 (e.g. 3 for 3× effective compute per year).");
        if (input.TreatmentGroups.Count == 0)
            throw new UserInputException($"{input.Source}: no treatment runs (methods other than '{input.BaselineGroup}') to compare; fix: include distilled runs or pass --treatment.");
    }

    static List<MetricSeries> SelectMetrics(EstimationInput input, EstimateOptions options)
    {
        var wanted = (options.Metrics ?? []).SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (wanted.Count == 0) return input.Metrics.ToList();
        var available = input.Metrics.Select(m => m.Metric).ToList();
        var unknown = wanted.Where(w => !available.Contains(w, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"--metric: value '{unknown[0]}' is not in {input.Source}; metrics present: {string.Join(", ", available)}.");
        return input.Metrics.Where(m => wanted.Contains(m.Metric, StringComparer.Ordinal)).ToList();
    }

    static int[] Counts(int[] draws, int n)
    {
        var counts = new int[n];
        foreach (var d in draws) counts[d]++;
        return counts;
    }

    /// <summary>ln C_B(y_T) and ln D_B(N_T, y_T) for every treatment point (NaN without a fit).</summary>
    static (double[], double[]) Evaluate(FrontierFit? fit, List<TreatmentPoint> points)
    {
        var lnC = new double[points.Count];
        var lnD = new double[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i].Point;
            lnC[i] = fit is null ? double.NaN : Math.Log(fit.ComputeToReach(p.Value));
            lnD[i] = fit is null || p.Tokens <= 0 ? double.NaN : Math.Log(fit.TokensToReach(p.Params, p.Value));
        }
        return (lnC, lnD);
    }

    static List<MultiplierRow> BuildRows(EstimationInput input, EstimateOptions options, IReadOnlyList<AccountingScenario> scenarios,
                                         List<MetricWork> work, int[][][] treatDraws)
    {
        var rows = new List<MultiplierRow>();
        var g = options.GrowthPerYear;
        for (var t = 0; t < input.TreatmentGroups.Count; t++)
        {
            var treatment = input.TreatmentGroups[t];
            foreach (var s in scenarios)
            {
                // Per-metric replicate means feed the cross-benchmark summary.
                var metricMeans = new List<(MetricWork W, Aggregate A)>();
                foreach (var w in work)
                {
                    var idx = Enumerable.Range(0, w.Treatment.Count).Where(i => w.Treatment[i].Treatment == t).ToList();
                    if (idx.Count == 0) continue;
                    foreach (var i in idx) rows.Add(PointRow(treatment, s, w, i, g));
                    var all = Aggregate.Of(w, idx, s, treatDraws, t);
                    metricMeans.Add((w, all));
                    rows.Add(AggregateRow(RowKind.MetricMean, treatment, w.Series.Metric, "*", "", s, w, all, g));
                    foreach (var byStudent in idx.GroupBy(i => w.Treatment[i].Point.Model).Where(x => x.Key.Length > 0 && idx.Count > 1))
                        rows.Add(AggregateRow(RowKind.ByStudent, treatment, w.Series.Metric, byStudent.Key, "", s, w,
                            Aggregate.Of(w, byStudent.ToList(), s, treatDraws, t), g));
                    foreach (var byBudget in idx.GroupBy(i => w.Treatment[i].Point.Budget).Where(x => x.Key.Length > 0))
                        rows.Add(AggregateRow(RowKind.ByBudget, treatment, w.Series.Metric, "*", byBudget.Key, s, w,
                            Aggregate.Of(w, byBudget.ToList(), s, treatDraws, t), g));
                }
                // Cross-benchmark summary: over benchmark (score) metrics when there are any, else over every metric.
                var summaryOver = metricMeans.Any(m => m.W.Series.Kind == MetricKind.Score && m.A.Points > 0)
                    ? metricMeans.Where(m => m.W.Series.Kind == MetricKind.Score).ToList()
                    : metricMeans;
                summaryOver = summaryOver.Where(m => m.A.Points > 0).ToList();
                if (summaryOver.Count > 1)
                    rows.Add(AggregateRow(RowKind.TreatmentMean, treatment, "*", "*", "", s, null, Aggregate.Mean(summaryOver.Select(m => m.A).ToList()), g));
            }
        }
        return rows;
    }

    static MultiplierRow PointRow(string treatment, AccountingScenario s, MetricWork w, int i, double? growth)
    {
        var p = w.Treatment[i].Point;
        var lnCT = Math.Log(s.Compute(p.Flops));
        var lnCB = w.LnCB[i];
        var status = w.Fit is null ? MultiplierStatus.NoFit
            : double.IsPositiveInfinity(lnCB) ? MultiplierStatus.BeyondAsymptote
            : double.IsNegativeInfinity(lnCB) ? MultiplierStatus.BelowFloor
            : MultiplierStatus.Ok;
        var ok = status == MultiplierStatus.Ok;
        var lnM = lnCB - lnCT;
        var ci = Intervals(w.RepLnCB.Select(r => r[i] - lnCT));
        var sameLn = w.LnDB[i] - Math.Log(p.Tokens);
        var sameCi = Intervals(w.RepLnDB.Select(r => r[i] - Math.Log(p.Tokens)));
        return new MultiplierRow
        {
            Kind = RowKind.Point, Treatment = treatment, Metric = w.Series.Metric, Model = p.Model, Budget = p.Budget, Unit = p.Unit,
            Accounting = s.Name,
            StudentParams = p.Params > 0 ? p.Params : null,
            Tokens = p.Tokens > 0 ? p.Tokens : null,
            Compute = Math.Exp(lnCT), YT = p.Value,
            BaselineCompute = ok ? Math.Exp(lnCB) : null,
            M = ok ? Math.Exp(lnM) : null,
            MCi90Low = ok ? ci.Lo90 : null, MCi90High = ok ? ci.Hi90 : null,
            MCi95Low = ok ? ci.Lo95 : null, MCi95High = ok ? ci.Hi95 : null,
            Status = status,
            Extrapolated = !(p.Value >= w.Min && p.Value <= w.Max),
            Years = ok ? Years(lnM, growth) : null,
            YearsCi95Low = ok ? Years(Math.Log(ci.Lo95 ?? double.NaN), growth) : null,
            YearsCi95High = ok ? Years(Math.Log(ci.Hi95 ?? double.NaN), growth) : null,
            SameSizeBaselineTokens = double.IsFinite(w.LnDB[i]) ? Math.Exp(w.LnDB[i]) : null,
            SameSizeM = double.IsFinite(sameLn) ? Math.Exp(sameLn) : null,
            SameSizeCi95Low = double.IsFinite(sameLn) ? sameCi.Lo95 : null,
            SameSizeCi95High = double.IsFinite(sameLn) ? sameCi.Hi95 : null,
        };
    }

    static MultiplierRow AggregateRow(string kind, string treatment, string metric, string model, string budget, AccountingScenario s,
                                      MetricWork? w, Aggregate a, double? growth)
    {
        var ok = a.Points > 0 && double.IsFinite(a.LnM);
        var ci = Intervals(a.Replicates);
        var sameCi = Intervals(a.SameReplicates);
        return new MultiplierRow
        {
            Kind = kind, Treatment = treatment, Metric = metric, Model = model, Budget = budget, Unit = "*", Accounting = s.Name,
            StudentParams = a.Params > 0 ? a.Params : null,
            Tokens = a.LnTokens is { } lt ? Math.Exp(lt) : null,
            Compute = Math.Exp(a.LnCT), YT = a.MeanY,
            BaselineCompute = ok ? Math.Exp(a.LnM + a.LnCT) : null,
            M = ok ? Math.Exp(a.LnM) : null,
            MCi90Low = ok ? ci.Lo90 : null, MCi90High = ok ? ci.Hi90 : null,
            MCi95Low = ok ? ci.Lo95 : null, MCi95High = ok ? ci.Hi95 : null,
            Status = a.Points == 0 ? (w?.Fit is null && w is not null ? MultiplierStatus.NoFit : MultiplierStatus.NoPoints) : MultiplierStatus.Ok,
            Extrapolated = a.Extrapolated,
            Points = a.Points,
            Years = ok ? Years(a.LnM, growth) : null,
            YearsCi95Low = ok ? Years(Math.Log(ci.Lo95 ?? double.NaN), growth) : null,
            YearsCi95High = ok ? Years(Math.Log(ci.Hi95 ?? double.NaN), growth) : null,
            SameSizeM = double.IsFinite(a.SameLnM) ? Math.Exp(a.SameLnM) : null,
            SameSizeCi95Low = double.IsFinite(a.SameLnM) ? sameCi.Lo95 : null,
            SameSizeCi95High = double.IsFinite(a.SameLnM) ? sameCi.Hi95 : null,
        };
    }

    static double? Years(double lnM, double? growth) =>
        growth is { } g && !double.IsNaN(lnM) ? lnM / Math.Log(g) : null;

    /// <summary>Percentile intervals of exp(replicates of ln M).</summary>
    static (double? Lo90, double? Hi90, double? Lo95, double? Hi95) Intervals(IEnumerable<double> lnReplicates)
    {
        var sorted = Bootstrap.Sorted(lnReplicates);
        if (sorted.Length == 0) return (null, null, null, null);
        double? At(double q) => Math.Exp(Bootstrap.Percentile(sorted, q));
        return (At(0.05), At(0.95), At(0.025), At(0.975));
    }

    /// <summary>
    /// Geometric mean of M over a set of treatment points (those with a finite M in the full fit) and its bootstrap
    /// replicates: replicate b weights each point by how often its run was drawn.
    /// </summary>
    sealed class Aggregate
    {
        public int Points;
        public double LnM = double.NaN, SameLnM = double.NaN, LnCT, MeanY, Params;
        public double? LnTokens;
        public bool Extrapolated;
        public double[] Replicates = [], SameReplicates = [];

        public static Aggregate Of(MetricWork w, List<int> idx, AccountingScenario s, int[][][] treatDraws, int t)
        {
            var ok = idx.Where(i => double.IsFinite(w.LnCB[i])).ToList();
            var same = idx.Where(i => double.IsFinite(w.LnDB[i]) && w.Treatment[i].Point.Tokens > 0).ToList();
            var lnCT = idx.ToDictionary(i => i, i => Math.Log(s.Compute(w.Treatment[i].Point.Flops)));
            var lnDT = idx.ToDictionary(i => i, i => w.Treatment[i].Point.Tokens > 0 ? Math.Log(w.Treatment[i].Point.Tokens) : double.NaN);
            var paramsSet = idx.Select(i => w.Treatment[i].Point.Params).Distinct().ToList();
            var a = new Aggregate
            {
                Points = ok.Count,
                LnCT = idx.Average(i => lnCT[i]),
                MeanY = idx.Average(i => w.Treatment[i].Point.Value),
                Params = paramsSet.Count == 1 ? paramsSet[0] : 0,
                LnTokens = idx.All(i => double.IsFinite(lnDT[i])) ? idx.Average(i => lnDT[i]) : null,
                Extrapolated = idx.Any(i => !(w.Treatment[i].Point.Value >= w.Min && w.Treatment[i].Point.Value <= w.Max)),
            };
            if (ok.Count > 0) a.LnM = ok.Average(i => w.LnCB[i] - lnCT[i]);
            if (same.Count > 0) a.SameLnM = same.Average(i => w.LnDB[i] - lnDT[i]);
            a.Replicates = Replicate(w.RepLnCB, ok, lnCT, w, treatDraws, t);
            a.SameReplicates = Replicate(w.RepLnDB, same, lnDT, w, treatDraws, t);
            return a;
        }

        static double[] Replicate(double[][] rep, List<int> idx, Dictionary<int, double> offset, MetricWork w, int[][][] treatDraws, int t)
        {
            var values = new double[rep.Length];
            for (var b = 0; b < rep.Length; b++)
            {
                double sum = 0, weight = 0;
                foreach (var i in idx)
                {
                    var count = treatDraws[b][t][w.Treatment[i].UnitIndex];
                    if (count == 0) continue;
                    sum += count * (rep[b][i] - offset[i]);
                    weight += count;
                }
                values[b] = weight > 0 ? sum / weight : double.NaN;
            }
            return values;
        }

        /// <summary>Geometric mean of metric-level geometric means (each metric weighs the same).</summary>
        public static Aggregate Mean(List<Aggregate> parts)
        {
            var n = parts[0].Replicates.Length;
            return new Aggregate
            {
                Points = parts.Sum(p => p.Points),
                LnM = parts.Average(p => p.LnM),
                LnCT = parts.Average(p => p.LnCT),
                MeanY = double.NaN,
                Extrapolated = parts.Any(p => p.Extrapolated),
                Replicates = Enumerable.Range(0, n).Select(b => parts.Average(p => p.Replicates[b])).ToArray(),
                SameReplicates = [],
            };
        }
    }

    static MetricFitReport Report(MetricWork w)
    {
        var fit = w.Fit;
        IReadOnlyList<ParameterEstimate>? Estimates(IReadOnlyList<(string Name, double Value)>? values, Func<int, IEnumerable<double>> replicates) =>
            values?.Select((p, j) => ParameterEstimate.From(p.Name, p.Value, replicates(j))).ToList();
        return new MetricFitReport(
            w.Series.Metric, w.Series.Kind, w.Series.Chance,
            w.Baseline.Count, w.BaselineByUnit.Count, fit?.FrontierPoints ?? 0, w.Min, w.Max,
            w.Series.Kind == MetricKind.Loss ? "y = E + A * C^-alpha" : "y = floor + (ceiling - floor) / (1 + exp(-slope * (ln C - midpoint_ln_compute)))",
            Estimates(fit?.FrontierParameters(), j => w.RepFrontier.Where(r => r.Length > j).Select(r => r[j])),
            Estimates(fit?.ChinchillaParameters(), j => w.RepChinchilla.Where(r => r is not null).Select(r => r![j])),
            w.Failed,
            w.Reason ?? (fit is not null && fit.Chinchilla is null && w.Series.Kind == MetricKind.Loss
                ? "no L(N, D) fit (needs at least 6 baseline points with 2 distinct sizes and token counts); same-size variant omitted"
                : null));
    }
}
