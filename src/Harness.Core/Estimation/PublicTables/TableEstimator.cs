using Harness.Results;

namespace Harness.Estimation.PublicTables;

public sealed record TableEstimate
{
    public required TableRequest Request { get; init; }
    public required TableFrontierKind Frontier { get; init; }
    public required PublicTable Table { get; init; }
    public required IReadOnlyList<TableMultiplierRow> Rows { get; init; }
    public required IReadOnlyList<TableFit> Fits { get; init; }
    public DateOnly? ReferenceDate { get; init; }
}

/// <summary>
/// Multipliers for public-model tables: each treatment model's compute-equivalent gain over each baseline family's
/// frontier (<see cref="EnvelopeFrontier"/> or <see cref="LinearFrontier"/>), per benchmark, with and without the date
/// covariate.  Intervals: nonparametric bootstrap over models (Efron 1979): replicate b resamples the family's models
/// with replacement, refits the frontier, and (for group means) resamples the treatment group's models; 95% percentile
/// intervals.  A replicate in which a point falls beyond the resampled frontier counts as +∞ (or 0 below it), so the
/// interval widens instead of silently losing the replicate.
/// </summary>
public static class TableEstimator
{
    public const string NoControl = "none";
    public const string DateControl = "date";

    public static TableEstimate Estimate(TableRequest request)
    {
        if (request.Replicates is < 0 or > 100_000)
            throw new UserInputException($"--resamples: value '{request.Replicates}' must be between 0 and 100000 (0 skips intervals).");
        var kind = request.Frontier ?? (request.Covariate is not null ? TableFrontierKind.Linear : TableFrontierKind.Envelope);
        if (request.Covariate is not null && kind == TableFrontierKind.Envelope)
            throw new UserInputException("--covariate: a running-best (envelope) frontier has no term for a covariate; rule: the covariate enters " +
                                         "y = a + b·ln C + γ·(date − ref); fix: pass --frontier linear or drop --covariate.");
        if (request.CovariateReference is not null && request.Covariate is null)
            throw new UserInputException("--covariate-ref: given without --covariate; fix: add --covariate COLUMN or drop --covariate-ref.");
        var table = PublicTableLoader.Load(request);
        var controls = request.Covariate is null ? new[] { NoControl } : new[] { NoControl, DateControl };
        var baselineDates = table.Models.Where(m => request.Baselines.Contains(m.Group) && m.Date is not null).Select(m => m.Date!.Value.DayNumber).ToList();
        DateOnly? reference = request.Covariate is null ? null
            : request.CovariateReference ?? DateOnly.FromDayNumber((int)Math.Round(baselineDates.Average()));
        double Years(TableModel m) => reference is { } r && m.Date is { } d ? (d.DayNumber - r.DayNumber) / 365.25 : 0;

        var rows = new List<TableMultiplierRow>();
        var fits = new List<TableFit>();
        var benchmarks = table.Models.Select(m => m.Benchmark).Distinct().ToList();
        var cell = 0;
        foreach (var baseline in request.Baselines)
            foreach (var benchmark in benchmarks)
            {
                var growth = double.NaN;
                foreach (var control in controls.Reverse())  // date first, so the no-control rows can be read in years
                {
                    cell++;
                    var baseModels = table.Models.Where(m => m.Group == baseline && m.Benchmark == benchmark).OrderBy(m => m.Compute).ToList();
                    var treatModels = request.Treatments.SelectMany(g => table.Models.Where(m => m.Group == g && m.Benchmark == benchmark).OrderBy(m => m.Compute)).ToList();
                    if (treatModels.Count == 0) continue;
                    var cellResult = new Cell(request, kind, control, baseline, benchmark, baseModels, treatModels, Years, cell);
                    fits.Add(cellResult.Report(reference));
                    if (control == DateControl && cellResult.Linear is { } lf) growth = lf.GrowthPerYear;
                    rows.AddRange(cellResult.Rows(control == NoControl ? growth : double.NaN));
                }
            }
        return new TableEstimate { Request = request, Frontier = kind, Table = table, Rows = rows, Fits = fits, ReferenceDate = reference };
    }

    /// <summary>One baseline family × benchmark × control: the full fit, its bootstrap and its rows.</summary>
    sealed class Cell
    {
        readonly TableRequest _request;
        readonly TableFrontierKind _kind;
        readonly string _control, _baseline, _benchmark;
        readonly List<TableModel> _base, _treat;
        readonly Func<TableModel, double> _years;
        readonly bool _higher;
        public LinearFrontier? Linear { get; }
        readonly EnvelopeFrontier? _envelope;
        readonly SigmoidLaw? _sigmoid;
        readonly BaselineCompute[] _full;
        readonly double[][] _rep;       // [replicate][treatment point] ln M (±∞ when censored, NaN when the refit failed)
        readonly int[][] _repTreat;     // [replicate][treatment point] how often drawn
        readonly double[][] _repParams; // linear: a, b, γ, growth
        readonly int _failed;
        readonly string? _reason;

        public Cell(TableRequest request, TableFrontierKind kind, string control, string baseline, string benchmark,
                    List<TableModel> baseModels, List<TableModel> treatModels, Func<TableModel, double> years, int cellIndex)
        {
            _request = request; _kind = kind; _control = control; _baseline = baseline; _benchmark = benchmark;
            _base = baseModels; _treat = treatModels; _years = years;
            _higher = treatModels[0].HigherIsBetter;
            _full = new BaselineCompute[treatModels.Count];
            _rep = [];
            _repTreat = [];
            _repParams = [];
            if (baseModels.Count < PublicTableLoader.MinBaselineModels)
            {
                _reason = $"baseline '{baseline}' has {baseModels.Count} model(s) on {benchmark}; a frontier needs at least {PublicTableLoader.MinBaselineModels}";
                return;
            }
            var withCov = control == DateControl;
            if (kind == TableFrontierKind.Envelope)
            {
                _envelope = EnvelopeFrontier.Build(baseModels.Select(m => (m.Compute, m.Score)).ToList(), _higher);
                _sigmoid = FitSigmoid(_envelope, baseModels);
            }
            else
            {
                Linear = LinearFrontier.Fit(baseModels.Select(m => (Math.Log(m.Compute), years(m), m.Score)).ToList(), withCov);
                if (Linear is null) { _reason = "the least-squares fit is degenerate (too few distinct computes or dates)"; return; }
            }
            for (var i = 0; i < treatModels.Count; i++) _full[i] = Solve(_envelope, Linear, treatModels[i]);

            var b = request.Replicates;
            _rep = new double[b][];
            _repTreat = new int[b][];
            _repParams = new double[b][];
            var failed = 0;
            var groups = treatModels.Select((m, i) => (m.Group, i)).GroupBy(x => x.Group).Select(g => g.Select(x => x.i).ToArray()).ToList();
            var seed = Bootstrap.DeriveSeed(request.Seed, cellIndex);
            Parallel.For(0, b, r =>
            {
                var rng = new Random(Bootstrap.DeriveSeed(seed, r));
                var sample = Bootstrap.Resample(rng, baseModels.Count).Select(i => baseModels[i]).ToList();
                var counts = new int[treatModels.Count];
                foreach (var g in groups)
                    foreach (var d in Bootstrap.Resample(rng, g.Length)) counts[g[d]]++;
                _repTreat[r] = counts;
                EnvelopeFrontier? env = null;
                LinearFrontier? lin = null;
                if (kind == TableFrontierKind.Envelope) env = EnvelopeFrontier.Build(sample.Select(m => (m.Compute, m.Score)).ToList(), _higher);
                else lin = LinearFrontier.Fit(sample.Select(m => (Math.Log(m.Compute), years(m), m.Score)).ToList(), withCov);
                _repParams[r] = lin is null ? [] : [lin.A, lin.B, lin.Gamma, lin.GrowthPerYear];
                if (env is null && lin is null)
                {
                    Interlocked.Increment(ref failed);
                    _rep[r] = treatModels.Select(_ => double.NaN).ToArray();
                    return;
                }
                _rep[r] = treatModels.Select(t => Censored(Solve(env, lin, t), t)).ToArray();
            });
            _failed = failed;
        }

        BaselineCompute Solve(EnvelopeFrontier? env, LinearFrontier? lin, TableModel t)
        {
            if (env is not null) return env.Reach(t.Score);
            var ln = lin!.LnComputeToReach(t.Score, _control == DateControl ? _years(t) : 0, _higher);
            return new BaselineCompute(ln, BoundKind.None, -1, -1);
        }

        /// <summary>ln M of a replicate: +∞ for a lower bound, −∞ for an upper bound.</summary>
        static double Censored(BaselineCompute c, TableModel t) =>
            c.Bound == BoundKind.Lower ? double.PositiveInfinity : c.Bound == BoundKind.Upper ? double.NegativeInfinity : c.LnC - Math.Log(t.Compute);

        /// <summary>
        /// The sigmoid frontier of the sweep estimator (<see cref="SigmoidFitter"/>, Owen 2024) on the running-best models,
        /// used only to extrapolate beyond the best baseline model, and flagged as an extrapolation wherever it is shown.
        /// </summary>
        static SigmoidLaw? FitSigmoid(EnvelopeFrontier env, List<TableModel> models)
        {
            if (!models[0].HigherIsBetter) return null;
            var points = env.Points.Select(p => (Math.Exp(p.LnC), p.Score)).ToList();
            var chance = models.Select(m => m.Chance).FirstOrDefault(double.IsFinite, double.NaN);
            if (points.Count < (double.IsFinite(chance) ? 3 : 4)) return null;
            return SigmoidFitter.Fit(points, chance, SigmoidFitter.PerfectScore(models.Select(m => m.Score), chance));
        }

        string Name(int index) => index >= 0 ? _base[index].Model : "";

        public IEnumerable<TableMultiplierRow> Rows(double growthPerYear)
        {
            var frontierName = _kind == TableFrontierKind.Envelope ? "envelope" : "linear";
            var ci = PointIntervals();
            var lnM = new double[_treat.Count];
            for (var i = 0; i < _treat.Count; i++)
            {
                var t = _treat[i];
                var c = _full[i];
                var baseRow = new TableMultiplierRow
                {
                    Kind = TableRowKind.Point, Baseline = _baseline, Treatment = t.Group, Benchmark = _benchmark, Control = _control, Frontier = frontierName,
                    Model = t.Model, Params = double.IsFinite(t.Params) ? t.Params : null, ReleaseDate = t.Date?.ToString("yyyy-MM-dd") ?? "",
                    Compute = t.Compute, Score = t.Score, BaselineModels = _base.Count,
                };
                if (_reason is not null)
                {
                    lnM[i] = double.NaN;
                    yield return baseRow with { Status = "no baseline frontier", Note = _reason };
                    continue;
                }
                if (!double.IsFinite(c.LnC))
                {
                    lnM[i] = double.NaN;
                    yield return baseRow with { Status = "no baseline frontier", Note = "the fitted slope has the wrong sign for this benchmark's direction" };
                    continue;
                }
                lnM[i] = c.LnC - Math.Log(t.Compute);
                var sigmoid = c.Bound == BoundKind.Lower && _sigmoid is not null ? _sigmoid.ComputeToReach(t.Score) / t.Compute : (double?)null;
                var note = c.Bound switch
                {
                    BoundKind.Lower => $"beats every {_baseline} model on {_benchmark} (most expensive: {Name(c.Below)}); M is a lower bound" +
                                       (sigmoid is { } s ? double.IsPositiveInfinity(s) ? "; the sigmoid frontier never reaches this score" : "; m_sigmoid_extrapolation is an extrapolation" : ""),
                    BoundKind.Upper => $"below every {_baseline} model on {_benchmark} (cheapest: {Name(c.Above)}); M is an upper bound",
                    _ => "",
                };
                var extrapolated = Linear is not null && (c.LnC < Linear.MinLnC || c.LnC > Linear.MaxLnC);
                yield return baseRow with
                {
                    BaselineCompute = Math.Exp(c.LnC), M = Math.Exp(lnM[i]),
                    MCi95Low = c.IsPoint ? ci[i].Lo : null, MCi95High = c.IsPoint ? ci[i].Hi : null,
                    Bound = c.Bound, Status = c.Bound == BoundKind.None ? "ok" : c.Bound == BoundKind.Lower ? "lower bound" : "upper bound",
                    Extrapolated = extrapolated,
                    MSigmoid = sigmoid is { } v && double.IsFinite(v) ? v : null,
                    FrontierBelow = Name(c.Below), FrontierAbove = Name(c.Above),
                    Years = c.IsPoint && growthPerYear > 1 ? lnM[i] / Math.Log(growthPerYear) : null,
                    Note = extrapolated ? "baseline compute outside the family's compute range (linear extrapolation)" : note,
                };
            }
            foreach (var group in _treat.Select((m, i) => (m.Group, i)).GroupBy(x => x.Group))
            {
                var idx = group.Select(x => x.i).ToArray();
                var bounds = idx.Select(i => _full[i].Bound).Distinct().Where(x => x != BoundKind.None).ToList();
                var valid = _reason is null && idx.All(i => double.IsFinite(lnM[i]));
                var mean = valid ? idx.Average(i => lnM[i]) : double.NaN;
                var status = !valid ? "no baseline frontier" : bounds.Count > 1 ? "mixed bounds" : bounds.Count == 1 ? bounds[0] + " bound" : "ok";
                var ok = status is "ok" or "lower bound" or "upper bound";
                var groupCi = status == "ok" ? MeanInterval(idx) : (null, null);
                var medianCi = status == "ok" ? MedianInterval(idx) : (null, null);
                yield return new TableMultiplierRow
                {
                    Kind = TableRowKind.GroupMean, Baseline = _baseline, Treatment = group.Key, Benchmark = _benchmark, Control = _control, Frontier = frontierName,
                    Model = "*", Compute = Math.Exp(idx.Average(i => Math.Log(_treat[i].Compute))), Score = idx.Average(i => _treat[i].Score),
                    BaselineCompute = ok ? Math.Exp(mean + idx.Average(i => Math.Log(_treat[i].Compute))) : null,
                    M = ok ? Math.Exp(mean) : null, MCi95Low = groupCi.Item1, MCi95High = groupCi.Item2,
                    MMedian = status == "ok" ? Math.Exp(Median(idx.Select(i => lnM[i]).ToList())) : null,
                    MMedianCi95Low = medianCi.Item1, MMedianCi95High = medianCi.Item2,
                    Bound = bounds.Count == 1 ? bounds[0] : bounds.Count > 1 ? BoundKind.Mixed : BoundKind.None, Status = status,
                    Extrapolated = Linear is not null && idx.Any(i => _full[i].LnC < Linear.MinLnC || _full[i].LnC > Linear.MaxLnC),
                    Years = status == "ok" && growthPerYear > 1 ? mean / Math.Log(growthPerYear) : null,
                    BaselineModels = _base.Count, Points = idx.Length,
                    Note = _reason ?? (status == "mixed bounds" ? "some models are lower bounds and some upper bounds: no mean" :
                                       bounds.Count == 1 ? $"geometric mean with {idx.Count(i => _full[i].Bound != BoundKind.None)} bound(s) in it: a {bounds[0]} bound" : ""),
                };
            }
        }

        (double? Lo, double? Hi)[] PointIntervals() =>
            Enumerable.Range(0, _treat.Count).Select(i => Interval(_rep.Select(r => r[i]))).ToArray();

        (double? Lo, double? Hi) MeanInterval(int[] idx) =>
            Interval(_rep.Select((r, b) =>
            {
                double sum = 0; var n = 0;
                foreach (var i in idx) { sum += _repTreat[b][i] * r[i]; n += _repTreat[b][i]; }
                return n == 0 ? double.NaN : sum / n;  // +∞ and −∞ together give NaN: dropped, like a failed refit
            }));

        /// <summary>The median over the group's models: robust to one odd model (e.g. a small code model on a general index).</summary>
        (double? Lo, double? Hi) MedianInterval(int[] idx) =>
            Interval(_rep.Select((r, b) =>
            {
                var draws = idx.SelectMany(i => Enumerable.Repeat(r[i], _repTreat[b][i])).Where(v => !double.IsNaN(v)).ToList();
                return draws.Count == 0 ? double.NaN : Median(draws);
            }));

        static double Median(List<double> values)
        {
            values.Sort();
            var n = values.Count;
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }

        static (double? Lo, double? Hi) Interval(IEnumerable<double> lnReplicates)
        {
            var sorted = Bootstrap.Sorted(lnReplicates);
            if (sorted.Length == 0) return (null, null);
            return (Math.Exp(Bootstrap.Percentile(sorted, 0.025)), Math.Exp(Bootstrap.Percentile(sorted, 0.975)));
        }

        public TableFit Report(DateOnly? reference)
        {
            var parameters = new List<TableParameter>();
            if (Linear is not null)
            {
                var names = new[] { "a", "b", "gamma_per_year", "growth_per_year" };
                var values = new[] { Linear.A, Linear.B, Linear.Gamma, Linear.GrowthPerYear };
                var count = Linear.WithCovariate ? 4 : 2;
                for (var j = 0; j < count; j++)
                    {
                    var p = ParameterEstimate.From(names[j], values[j], _repParams.Where(r => r.Length > j).Select(r => r[j]));
                    parameters.Add(new TableParameter(p.Name, p.Value, p.Ci95Low, p.Ci95High));
                }
            }
            return new TableFit
            {
                Baseline = _baseline, Benchmark = _benchmark, Control = _control,
                Frontier = _kind == TableFrontierKind.Envelope ? "envelope" : "linear",
                BaselineModels = _base.Count,
                FrontierModels = _envelope?.Points.Select(p => new TableFrontierModel(_base[p.Index].Model, _base[p.Index].Compute, _base[p.Index].Score)).ToList() ?? [],
                Parameters = parameters,
                ReferenceDate = _control == DateControl ? reference?.ToString("yyyy-MM-dd") : null,
                FailedReplicates = _failed,
                Note = _reason ?? (_sigmoid is not null ? FormattableString.Invariant($"sigmoid (extrapolation only): floor {_sigmoid.Floor:0.##}, ceiling {_sigmoid.Ceiling:0.##}, slope {_sigmoid.Slope:0.###} per ln C") : null),
            };
        }
    }
}
