namespace Harness.Estimation.PublicTables;

/// <summary>
/// How a treatment's score relates to a baseline frontier.  The values are those of <c>Harness.Results.MultiplierBound</c>
/// on the estimator branch (issue 12), so the two outputs read alike.
/// </summary>
public static class BoundKind
{
    /// <summary>Inside the frontier's range: a point estimate.</summary>
    public const string None = "";
    /// <summary>The treatment beats every baseline model: M ≥ (best baseline's compute) / C_T.</summary>
    public const string Lower = "lower";
    /// <summary>The treatment is below the cheapest baseline model: M ≤ (cheapest baseline's compute) / C_T.</summary>
    public const string Upper = "upper";
    /// <summary>A mean over models of which some are lower and some upper bounds: no number.</summary>
    public const string Mixed = "mixed";
}

/// <summary>ln C_B(y_T): the log compute the baseline needs to reach a score, or the log of the bound's compute.</summary>
public readonly record struct BaselineCompute(double LnC, string Bound, int Below, int Above)
{
    public bool IsPoint => Bound == BoundKind.None && double.IsFinite(LnC);
}

/// <summary>
/// Running-best frontier of a baseline family on one benchmark.  Ordered by compute, a model is on the frontier when it
/// scores strictly better than every cheaper model of the family (the Pareto envelope of Hoffmann et al. 2022's
/// Approach 1, applied to public models): Qwen2.5-72B-Instruct's GPQA 49.0, below 32B's 49.5, is off the frontier, and
/// so is a model that only ties a cheaper one.  Between two adjacent frontier models (C_i, y_i), (C_{i+1}, y_{i+1})
/// the score is taken as linear in ln C:
///   ln C_B(y) = ln C_i + (y − y_i)/(y_{i+1} − y_i) · (ln C_{i+1} − ln C_i).
/// A score above the best frontier model has no baseline compute; the honest answer is the bound
/// C_B(y) ≥ C_max, the compute of the family's most expensive model: the running best is flat from the best model up
/// to C_max (Qwen2.5-72B-Instruct's MATH 83.1 only ties 32B's), and no model up to C_max reached y.  A score below the
/// cheapest model gives C_B(y) ≤ C_cheapest.
/// </summary>
public sealed class EnvelopeFrontier
{
    /// <summary>Frontier points in increasing compute and (signed) score; Score is y for higher-is-better, −y otherwise.</summary>
    public IReadOnlyList<(double LnC, double Score, int Index)> Points { get; }
    /// <summary>ln C and index of the family's most expensive model (the end of the running best).</summary>
    public (double LnC, int Index) Last { get; }
    readonly int _sign;

    EnvelopeFrontier(List<(double, double, int)> points, (double, int) last, int sign) { Points = points; Last = last; _sign = sign; }

    /// <param name="models">(compute, score) of the baseline models; Index is carried to name frontier models.</param>
    public static EnvelopeFrontier Build(IReadOnlyList<(double Compute, double Score)> models, bool higherIsBetter)
    {
        var sign = higherIsBetter ? 1 : -1;
        var points = new List<(double, double, int)>();
        var best = double.NegativeInfinity;
        foreach (var (m, i) in models.Select((m, i) => (m, i)).OrderBy(x => x.m.Compute).ThenByDescending(x => sign * x.m.Score))
        {
            if (sign * m.Score <= best) continue;
            best = sign * m.Score;
            points.Add((Math.Log(m.Compute), best, i));
        }
        var last = models.Select((m, i) => (Math.Log(m.Compute), i)).MaxBy(x => x.Item1);
        return new EnvelopeFrontier(points, last, sign);
    }

    /// <summary>ln C_B(y) with the frontier models either side (indices into the models given to <see cref="Build"/>; −1 at an end).</summary>
    public BaselineCompute Reach(double y)
    {
        var s = _sign * y;
        var p = Points;
        if (s > p[^1].Score) return new BaselineCompute(Last.LnC, BoundKind.Lower, Last.Index, -1);
        if (s < p[0].Score) return new BaselineCompute(p[0].LnC, BoundKind.Upper, -1, p[0].Index);
        for (var i = 0; i < p.Count; i++)
        {
            if (s == p[i].Score) return new BaselineCompute(p[i].LnC, BoundKind.None, p[i].Index, p[i].Index);
            if (i + 1 < p.Count && s < p[i + 1].Score)
            {
                var f = (s - p[i].Score) / (p[i + 1].Score - p[i].Score);
                return new BaselineCompute(p[i].LnC + f * (p[i + 1].LnC - p[i].LnC), BoundKind.None, p[i].Index, p[i + 1].Index);
            }
        }
        throw new InvalidOperationException("unreachable: score inside the frontier's range");
    }
}
