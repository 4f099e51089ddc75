namespace Harness.Estimation;

/// <summary>
/// The baseline's fitted frontier for one metric: C_B(y), the baseline compute needed to reach y, and (loss metrics
/// with known N and D) the Chinchilla L(N, D) for the same-size variant.
/// </summary>
internal sealed class FrontierFit
{
    public required MetricKind Kind { get; init; }
    public required int FrontierPoints { get; init; }
    public required double[] Theta { get; init; }
    public PowerLaw? Power { get; init; }
    public SigmoidLaw? Sigmoid { get; init; }
    public double[]? ChinchillaTheta { get; init; }
    public ChinchillaLaw? Chinchilla { get; init; }

    /// <summary>C_B(y): +∞ beyond the fitted asymptote, 0 at or below a score metric's floor.</summary>
    public double ComputeToReach(double y) => Kind == MetricKind.Loss ? Power!.ComputeToReach(y) : Sigmoid!.ComputeToReach(y);

    /// <summary>Same-size variant: tokens a scratch model of <paramref name="n"/> parameters needs to reach y (NaN without L(N, D)).</summary>
    public double TokensToReach(double n, double y) => Chinchilla is null || n <= 0 ? double.NaN : Chinchilla.TokensToReach(n, y);

    public IReadOnlyList<(string Name, double Value)> FrontierParameters() => Kind == MetricKind.Loss
        ? [("E", Power!.E), ("A", Power.A), ("alpha", Power.Alpha)]
        : [("floor", Sigmoid!.Floor), ("ceiling", Sigmoid.Ceiling), ("slope", Sigmoid.Slope), ("midpoint_ln_compute", Sigmoid.Midpoint)];

    public IReadOnlyList<(string Name, double Value)>? ChinchillaParameters() => Chinchilla is null ? null :
        [("E", Chinchilla.E), ("A", Chinchilla.A), ("B", Chinchilla.B), ("alpha", Chinchilla.Alpha), ("beta", Chinchilla.Beta)];

    /// <summary>
    /// Compute frontier points: ordered by compute, a point is kept when it beats every cheaper point (Pareto
    /// envelope, as in Hoffmann et al. 2022's Approach 1, which takes the lowest loss at each FLOP budget).  Intermediate
    /// checkpoints of long runs and under-trained large models sit above the envelope and would otherwise bias it.
    /// </summary>
    public static List<(double Compute, double Value)> Envelope(IEnumerable<MetricPoint> points, MetricKind kind)
    {
        var sign = kind == MetricKind.Loss ? 1 : -1;
        var envelope = new List<(double, double)>();
        var best = double.PositiveInfinity;
        foreach (var p in points.OrderBy(p => p.Flops.StudentTrain).ThenBy(p => sign * p.Value))
        {
            if (sign * p.Value >= best) continue;
            best = sign * p.Value;
            envelope.Add((p.Flops.StudentTrain, p.Value));
        }
        return envelope;
    }

    /// <summary>
    /// Fits the frontier (and L(N, D) for loss metrics) on baseline points.  Without <paramref name="warm"/>: full
    /// start grids.  With it (bootstrap refits): the full fit's optimum plus a few perturbed copies, which is what keeps a
    /// thousand refits affordable.  Returns null with a reason when the data cannot identify the frontier.
    /// </summary>
    public static FrontierFit? Fit(MetricSeries metric, IReadOnlyList<MetricPoint> baseline, FrontierFit? warm, Random? rng,
                                   int gridKeep, out string? reason)
    {
        var envelope = Envelope(baseline, metric.Kind);
        var chance = metric.Chance;
        var needed = metric.Kind == MetricKind.Score && !double.IsFinite(chance) ? 4 : 3;
        if (envelope.Count < needed)
        {
            reason = $"{envelope.Count} baseline frontier point(s); the {(metric.Kind == MetricKind.Loss ? "power-law" : "sigmoid")} frontier needs at least {needed}";
            return null;
        }
        reason = null;
        if (metric.Kind == MetricKind.Score)
        {
            var cap = SigmoidFitter.PerfectScore(baseline.Select(p => p.Value), chance);
            var starts = warm is null ? SigmoidFitter.Starts(envelope, chance, cap) : Perturbed(warm.Theta, rng!, null);
            var theta = SigmoidFitter.FitTheta(envelope, chance, cap, starts, warm is null ? 16 : starts.Count);
            return new FrontierFit
            {
                Kind = MetricKind.Score, FrontierPoints = envelope.Count, Theta = theta,
                Sigmoid = SigmoidFitter.FromTheta(theta, envelope, chance, cap),
            };
        }

        var lnCMed = Median(envelope.Select(p => Math.Log(p.Compute)));
        var powerStarts = warm is null ? ScalingLawFitter.PowerLawStarts(envelope) : Perturbed(warm.Theta, rng!, [lnCMed]);
        var powerTheta = ScalingLawFitter.FitPowerLawTheta(envelope, powerStarts, int.MaxValue);

        double[]? chinTheta = null;
        var usable = baseline.Where(p => p.Params > 0 && p.Tokens > 0).ToList();
        if (usable.Count >= 6 && usable.Select(p => p.Params).Distinct().Count() >= 2 && usable.Select(p => p.Tokens).Distinct().Count() >= 2
            && (warm is null || warm.ChinchillaTheta is not null))
        {
            var points = usable.Select(p => new ScalingPoint(p.Params, p.Tokens, p.Value)).ToList();
            chinTheta = warm is null
                ? ScalingLawFitter.FitChinchillaTheta(points, ScalingLawFitter.EpochGrid(), gridKeep, parallel: true)
                : RefitChinchilla(points, warm.ChinchillaTheta!, rng!);
        }
        return new FrontierFit
        {
            Kind = MetricKind.Loss, FrontierPoints = envelope.Count, Theta = powerTheta,
            Power = ScalingLawFitter.PowerLawFromTheta(powerTheta),
            ChinchillaTheta = chinTheta,
            Chinchilla = chinTheta is null ? null : ScalingLawFitter.ChinchillaFromTheta(chinTheta),
        };
    }

    /// <summary>Bootstrap refit of L(N, D) from a previous optimum plus perturbed copies of it.</summary>
    internal static double[] RefitChinchilla(IReadOnlyList<ScalingPoint> points, double[] warm, Random rng)
    {
        var starts = Perturbed(warm, rng, [Median(points.Select(p => Math.Log(p.Params))), Median(points.Select(p => Math.Log(p.Tokens)))]);
        return ScalingLawFitter.FitChinchillaTheta(points, starts, starts.Count, parallel: false);
    }

    static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s[s.Length / 2];
    }

    /// <summary>
    /// Warm starts: the optimum and three perturbed copies.  For LSE laws (θ = a_1..a_k, e, α_1..α_k) an exponent is
    /// scaled by e^(0.2z) and its a_j moved so the term keeps its value at the data's median log input; otherwise every
    /// coordinate moves by 0.3z.
    /// </summary>
    static IReadOnlyList<double[]> Perturbed(double[] theta, Random rng, double[]? lseMedians)
    {
        var starts = new List<double[]> { (double[])theta.Clone() };
        for (var s = 0; s < 3; s++)
        {
            var t = (double[])theta.Clone();
            if (lseMedians is null)
                for (var j = 0; j < t.Length; j++) t[j] += 0.3 * Bootstrap.Normal(rng);
            else
            {
                var k = lseMedians.Length;
                for (var j = 0; j < k; j++)
                {
                    var alpha = t[k + 1 + j] * Math.Exp(0.2 * Bootstrap.Normal(rng));
                    t[j] += (alpha - t[k + 1 + j]) * lseMedians[j];
                    t[k + 1 + j] = alpha;
                }
                t[k] += 0.2 * Bootstrap.Normal(rng);
            }
            starts.Add(t);
        }
        return starts;
    }
}
