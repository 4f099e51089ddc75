using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// Coverage of the estimator's 95% intervals on synthetic data with a planted truth (issue 12, cases 1 and 2): many
/// datasets of <see cref="SyntheticGrid"/> with g ∈ {1.5, 3} and g = 1, each estimated as a real results folder, counting
/// how often each estimand's interval holds the truth (g for (a) and (c); g for uncensored (b); 1 for the placebo).
/// </summary>
public static class Calibration
{
    public sealed record Coverage(string Case, string Estimand, double Truth, int Datasets, int Covered, int NoInterval, int Censored,
                                  double MedianM, double MedianCiRatio)
    {
        /// <summary>Share of intervals holding the truth; censored summaries (bounds) count too, so a lower bound below the truth shows as a miss.</summary>
        public double Rate => Datasets - NoInterval <= 0 ? double.NaN : Covered / (double)(Datasets - NoInterval);
    }

    public static IReadOnlyList<(string Name, SyntheticGrid Grid)> Cases { get; } =
    [
        ("case 1: g = 1.5", new SyntheticGrid { Gain = 1.5 }),
        ("case 1: g = 3", new SyntheticGrid { Gain = 3 }),
        ("case 2: null (g = 1)", new SyntheticGrid { Gain = 1 }),
    ];

    /// <summary>Coverage of one slope (issue 23): how often its 95% interval holds the planted slope, and how often b = 0 is rejected at 5%.</summary>
    public sealed record SlopeCoverage(string Case, string Slope, double Truth, int Datasets, int Covered, int NoInterval, int Rejected,
                                       double MedianSlope, double MedianWidth)
    {
        public double Rate => Datasets - NoInterval <= 0 ? double.NaN : Covered / (double)(Datasets - NoInterval);
        /// <summary>Share of datasets whose test rejects slope = 0 at 5% (power when the truth is not 0, size when it is).</summary>
        public double RejectionRate => Datasets - NoInterval <= 0 ? double.NaN : Rejected / (double)(Datasets - NoInterval);
    }

    /// <summary>
    /// The slope cases (issue 23): planted gains that grow, stay flat and shrink with N (b = d ln g / d ln N = +0.15, 0,
    /// −0.15 around g = 1.5 at the mean ln N: g from 1.17 to 1.92 across the quickstart sizes when growing), constant in D.
    /// </summary>
    public static IReadOnlyList<(string Name, SyntheticGrid Grid)> SlopeCases { get; } =
    [
        ("growing (b = +0.15)", new SyntheticGrid { Gain = 1.5, GainSlope = 0.15 }),
        ("flat (b = 0)", new SyntheticGrid { Gain = 1.5 }),
        ("shrinking (b = -0.15)", new SyntheticGrid { Gain = 1.5, GainSlope = -0.15 }),
    ];

    /// <summary>
    /// Estimates <paramref name="datasets"/> synthetic grids per slope case and tallies, under student accounting, the
    /// treatment's d ln M / d ln N (truth: the planted b) and d ln M / d ln D (truth 0), and the placebo's (truth 0).
    /// </summary>
    public static IReadOnlyList<SlopeCoverage> RunSlopes(int datasets, int replicates, int seed, Action<string>? progress = null)
    {
        var results = new List<SlopeCoverage>();
        foreach (var (name, grid) in SlopeCases)
        {
            var tallies = new Dictionary<string, (double Truth, List<double> B, List<double> Width, int Covered, int None, int Rejected)>(StringComparer.Ordinal);
            for (var d = 0; d < datasets; d++)
            {
                var result = EstimateGrid(grid, seed * 100_003 + d, seed + d, replicates);
                foreach (var row in result.Rows.Where(r => r.Kind == MultiplierKind.Slope && r.Accounting == "student"))
                {
                    var label = (row.Treatment == MultiplierEstimator.PlaceboGroup ? "placebo " : "") + "d ln M / d " + (row.Quantity == "slope_ln_n" ? "ln N" : "ln D");
                    var truth = row.Treatment != MultiplierEstimator.PlaceboGroup && row.Quantity == "slope_ln_n" ? grid.GainSlope : 0;
                    if (!tallies.TryGetValue(label, out var t)) t = (truth, [], [], 0, 0, 0);
                    if (row.ValueCi95Low is not { } lo || row.ValueCi95High is not { } hi) t.None++;
                    else
                    {
                        if (lo <= truth && truth <= hi) t.Covered++;
                        if (row.ValueP is < 0.05) t.Rejected++;
                        t.B.Add(row.Value ?? double.NaN);
                        t.Width.Add(hi - lo);
                    }
                    tallies[label] = t;
                }
                progress?.Invoke($"{name}: dataset {d + 1}/{datasets}");
            }
            foreach (var (label, t) in tallies)
                results.Add(new SlopeCoverage(name, label, t.Truth, datasets, t.Covered, t.None, t.Rejected, LossArm.Median(t.B), LossArm.Median(t.Width)));
        }
        return results;
    }

    /// <summary>Writes one synthetic grid to a temporary results folder, estimates it on val_loss under student
    /// accounting, and deletes the folder (the result is held in memory).</summary>
    static EstimateResult EstimateGrid(SyntheticGrid grid, int dataSeed, int estimateSeed, int replicates)
    {
        var dir = Path.Combine(Path.GetTempPath(), "harness-calibrate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            grid.Write(dir, dataSeed);
            return MultiplierEstimator.EstimateResultsFolder(dir, new EstimateOptions
            {
                Metrics = [ResultsFolderLoader.ValLoss], Accounting = [], Replicates = replicates, Seed = estimateSeed,
            });
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    public static IReadOnlyList<Coverage> Run(int datasets, int replicates, int seed, Action<string>? progress = null)
    {
        var results = new List<Coverage>();
        foreach (var (name, grid) in Cases)
        {
            var tallies = new Dictionary<string, (List<double> M, List<double> Ratio, int Covered, int None, int Censored)>(StringComparer.Ordinal);
            for (var d = 0; d < datasets; d++)
            {
                var result = EstimateGrid(grid, seed * 100_003 + d, seed + d, replicates);
                var rows = Enum.GetValues<Estimand>().Select(e => (Label: e.OnDisk(), Row: result.SummaryRow("logit-kd", ResultsFolderLoader.ValLoss, e), Truth: grid.Gain))
                    .Concat(Enum.GetValues<Estimand>().Select(e => (Label: "placebo " + e.OnDisk(), Row: result.PlaceboRow(ResultsFolderLoader.ValLoss, e), Truth: 1.0)));
                foreach (var (label, row, truth) in rows)
                {
                    if (!tallies.TryGetValue(label, out var t)) t = ([], [], 0, 0, 0);
                    if (row is { Bound: not MultiplierBound.None }) t.Censored++;
                    if (row?.MCi95Low is not { } lo || row.MCi95High is not { } hi) t.None++;
                    else
                    {
                        if (lo <= truth && truth <= hi) t.Covered++;
                        t.M.Add(row.M ?? double.NaN);
                        t.Ratio.Add(hi / lo);
                    }
                    tallies[label] = t;
                }
                progress?.Invoke($"{name}: dataset {d + 1}/{datasets}");
            }
            foreach (var (label, t) in tallies)
                results.Add(new Coverage(name, label, label.StartsWith("placebo", StringComparison.Ordinal) ? 1 : grid.Gain, datasets, t.Covered, t.None, t.Censored,
                    LossArm.Median(t.M), LossArm.Median(t.Ratio)));
        }
        return results;
    }
}
