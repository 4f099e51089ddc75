namespace Harness.Estimation;

/// <summary>
/// Fits power laws the way Epoch AI's replication of Chinchilla does (Besiroglu et al. 2024, "Chinchilla Scaling:
/// A replication attempt"): the law is written as a log-sum-exp, L = LSE(a − α log N, b − β log D, e) with A = e^a,
/// B = e^b, E = e^e, so every term stays positive without bounds; the loss is the Huber loss (δ = 1e-3) of the
/// residual log L_pred − log L_obs, robust to the outliers of a curve-read data set; minimised with L-BFGS from a grid
/// of starts, keeping the best.
/// </summary>
public static class ScalingLawFitter
{
    public const double HuberDelta = 1e-3;

    /// <summary>How many of the screened grid starts get a full L-BFGS run in a primary fit.</summary>
    public const int DefaultGridKeep = 128;

    /// <summary>
    /// Epoch's grid, θ = (a, b, e, α, β): e ∈ {−1, −.5, 0, .5, 1}, a, b ∈ {0, 5, …, 25}, α, β ∈ {0, .5, …, 2};
    /// 4500 starts.
    /// </summary>
    public static IReadOnlyList<double[]> EpochGrid()
    {
        var grid = new List<double[]>(4500);
        for (var e = -1.0; e <= 1.0 + 1e-9; e += 0.5)
            for (var a = 0.0; a <= 25 + 1e-9; a += 5)
                for (var b = 0.0; b <= 25 + 1e-9; b += 5)
                    for (var alpha = 0.0; alpha <= 2 + 1e-9; alpha += 0.5)
                        for (var beta = 0.0; beta <= 2 + 1e-9; beta += 0.5)
                            grid.Add([a, b, e, alpha, beta]);
        return grid;
    }

    /// <summary>Fits L(N, D) from Epoch's grid; <paramref name="gridKeep"/> = int.MaxValue runs L-BFGS from every start.</summary>
    public static ChinchillaLaw FitChinchilla(IReadOnlyList<ScalingPoint> points, int gridKeep = DefaultGridKeep) =>
        ChinchillaFromTheta(FitChinchillaTheta(points, EpochGrid(), gridKeep, parallel: true));

    internal static double[] FitChinchillaTheta(IReadOnlyList<ScalingPoint> points, IReadOnlyList<double[]> starts, int keep, bool parallel,
                                                double delta = HuberDelta)
    {
        var lnN = points.Select(p => Math.Log(p.Params)).ToArray();
        var lnD = points.Select(p => Math.Log(p.Tokens)).ToArray();
        var lnL = points.Select(p => Math.Log(p.Loss)).ToArray();
        var objective = LseHuberObjective([lnN, lnD], lnL, delta);
        return MultiStartMinimizer.Minimize(objective, starts, keep, parallel).X;
    }

    internal static ChinchillaLaw ChinchillaFromTheta(double[] t) =>
        new(Math.Exp(t[2]), Math.Exp(t[0]), Math.Exp(t[1]), t[3], t[4]);

    /// <summary>Fits L(C) = E + A·C^(−α) with the same Huber/LSE objective, θ = (a, e, α), from data-driven starts.</summary>
    public static PowerLaw FitPowerLaw(IReadOnlyList<(double Compute, double Loss)> points) =>
        PowerLawFromTheta(FitPowerLawTheta(points, PowerLawStarts(points), int.MaxValue));

    internal static double[] FitPowerLawTheta(IReadOnlyList<(double Compute, double Loss)> points, IReadOnlyList<double[]> starts, int keep)
    {
        var lnC = points.Select(p => Math.Log(p.Compute)).ToArray();
        var lnL = points.Select(p => Math.Log(p.Loss)).ToArray();
        return MultiStartMinimizer.Minimize(LseHuberObjective([lnC], lnL), starts, keep, parallel: false).X;
    }

    internal static PowerLaw PowerLawFromTheta(double[] t) => new(Math.Exp(t[1]), Math.Exp(t[0]), t[2]);

    /// <summary>
    /// Starts for the compute frontier.  Epoch's grid is tuned to Chinchilla's scale; a sweep's compute range can be far
    /// from it, so starts are placed from the data instead: the asymptote E at fractions of the lowest loss, an
    /// exponent grid, and the scale A chosen so the curve passes through the median point.
    /// </summary>
    internal static IReadOnlyList<double[]> PowerLawStarts(IReadOnlyList<(double Compute, double Loss)> points)
    {
        var minLoss = points.Min(p => p.Loss);
        var lnC = points.Select(p => Math.Log(p.Compute)).Order().ToArray();
        var ys = points.Select(p => p.Loss).Order().ToArray();
        var lnCMed = lnC[lnC.Length / 2];
        var yMed = ys[ys.Length / 2];
        var starts = new List<double[]>();
        foreach (var fraction in new[] { 0.01, 0.25, 0.5, 0.75, 0.9, 0.97 })
            foreach (var alpha in new[] { 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0 })
            {
                var e = fraction * minLoss;
                var a = Math.Log(Math.Max(yMed - e, 1e-3 * yMed)) + alpha * lnCMed;
                starts.Add([a, Math.Log(e), alpha]);
            }
        return starts;
    }

    /// <summary>
    /// Mean Huber loss (divided by δ so its scale suits the optimiser's tolerances; the minimiser is unchanged) of
    /// r_i = LSE(a_1 − α_1 x_1i, …, a_k − α_k x_ki, e) − y_i with θ = (a_1..a_k, e, α_1..α_k), and its analytic
    /// gradient: ∂r/∂a_j = w_j, ∂r/∂e = w_e, ∂r/∂α_j = −w_j x_ji where w is the softmax of the LSE terms.
    /// </summary>
    internal static ValueAndGradient LseHuberObjective(double[][] logInputs, double[] logTarget, double delta = HuberDelta)
    {
        var k = logInputs.Length;
        var n = logTarget.Length;
        return (theta, gradient) =>
        {
            Array.Clear(gradient);
            Span<double> terms = stackalloc double[k + 1];
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < k; j++) terms[j] = theta[j] - theta[k + 1 + j] * logInputs[j][i];
                terms[k] = theta[k];
                var max = double.NegativeInfinity;
                for (var j = 0; j <= k; j++) max = Math.Max(max, terms[j]);
                var sum = 0.0;
                for (var j = 0; j <= k; j++) { terms[j] = Math.Exp(terms[j] - max); sum += terms[j]; }
                var r = max + Math.Log(sum) - logTarget[i];
                double h, dh;
                if (Math.Abs(r) <= delta) { h = 0.5 * r * r; dh = r; }
                else { h = delta * (Math.Abs(r) - 0.5 * delta); dh = delta * Math.Sign(r); }
                total += h;
                for (var j = 0; j < k; j++)
                {
                    var w = terms[j] / sum;
                    gradient[j] += dh * w;
                    gradient[k + 1 + j] -= dh * w * logInputs[j][i];
                }
                gradient[k] += dh * terms[k] / sum;
            }
            var scale = 1.0 / (n * delta);
            for (var j = 0; j < gradient.Length; j++) gradient[j] *= scale;
            return total * scale;
        };
    }
}
