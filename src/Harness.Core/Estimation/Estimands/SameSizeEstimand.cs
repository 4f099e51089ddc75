using System.Globalization;
using Harness.Results;

namespace Harness.Estimation.Estimands;

/// <summary>One (student, budget, seed) pair of the same-size estimand: the treatment run, its scratch twin, the scratch tokens needed and used (after censoring), ln M per scenario.</summary>
internal sealed record SameSizeCell(MetricPoint Point, MetricPoint? Twin, double NeededTokens, double UsedTokens, MultiplierBound Bound, Dictionary<string, double> LnM);

/// <summary>
/// (b) <c>same_size</c>: the paired same-size gain.  Per (student, budget, seed) pair, D_S = the tokens a scratch model of
/// that size needs to reach the treatment's value y_T: read off the same seed's scratch runs of that size when two of
/// their finished budgets bracket y_T (linear in ln D, so a treatment identical to scratch gives exactly 1), otherwise
/// from the scratch arm's L(N, D) (Hoffmann et al. 2022) of that size shifted by the pair's own seed×size residual
/// r = mean(L_obs − L_fit) so the seed's shared effect cancels: D_S = (B / (y_T − r − E − A/N^α))^(1/β).
/// M = c(N)·D_S / C_T (C_T the treatment run's compute under the scenario).  D_S beyond the largest (below the smallest)
/// scratch budget of the size is censored to that edge (bound lower, "≥ X"; upper, "≤ X"): counted and kept, and the
/// summary, the geometric mean over all pairs, is then itself a bound.
/// </summary>
internal sealed class SameSizeEstimand : IMultiplierEstimand
{
    public Estimand Name => Estimand.SameSize;

    public bool AppliesTo(ComparisonDesign design) => design.UsesSizes && design.Series.Kind == MetricKind.Loss;

    public void Measure(ComparisonDesign design, ComparisonFit fit, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, bool detail)
    {
        if (fit.BaseArm is not { } arm) return;
        var baseFinals = baseline.Where(p => p.IsFinal).ToList();
        var shift = baseFinals.GroupBy(p => (p.Params, p.Seed))
                              .ToDictionary(g => g.Key, g => g.Average(p => p.Value - arm.Law.Predict(p.Params, p.Tokens)));
        var twins = baseFinals.GroupBy(p => (p.Model, p.Budget, p.Seed)).ToDictionary(g => g.Key, g => g.First());
        var cells = new List<SameSizeCell>();
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
            cells.Add(new SameSizeCell(p, twin, needed, used, bound, lnM));
        }
        foreach (var s in design.Scenarios)
        {
            fit.LnM[ComparisonFit.Key(Name, s.Name, "summary")] = cells.Count == 0 ? double.NaN : cells.Average(c => c.LnM[s.Name]);
            foreach (var g in cells.GroupBy(c => c.Point.Model))
                fit.LnM[ComparisonFit.Key(Name, s.Name, "by:" + g.Key)] = g.Average(c => c.LnM[s.Name]);
        }
        if (detail) fit.Cells.AddRange(cells);
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

    /// <summary>The bound of a mean over cells: lower or upper when all censored cells are, mixed when both occur.</summary>
    static MultiplierBound BoundOf(int lower, int upper) =>
        lower > 0 && upper > 0 ? MultiplierBound.Mixed : lower > 0 ? MultiplierBound.Lower : upper > 0 ? MultiplierBound.Upper : MultiplierBound.None;

    static MultiplierStatus StatusOf(double? m, MultiplierBound bound) => m is null ? MultiplierStatus.NoFit : bound == MultiplierBound.None ? MultiplierStatus.Ok : MultiplierStatus.Censored;

    public IEnumerable<MultiplierRow> Rows(EstimandRows rows, AccountingScenario s)
    {
        var fit = rows.Fit;
        var bRow = rows.Summary(Name, s, out var bci);
        var lowerCount = fit.Cells.Count(c => c.Bound == MultiplierBound.Lower);
        var upperCount = fit.Cells.Count(c => c.Bound == MultiplierBound.Upper);
        var bound = BoundOf(lowerCount, upperCount);
        yield return rows.WithPlacebo(bRow with
        {
            Pairs = fit.Cells.Count, Won = rows.Won, Censored = lowerCount + upperCount, Bound = bound, Mde = bci.Mde,
            Status = StatusOf(bRow.M, bound),
            Note = fit.BaseArm is null ? $"no scratch L(N, D) fit: {fit.BaseReason}"
                : $"geometric mean over {fit.Cells.Count} pairs" + (lowerCount + upperCount > 0
                    ? $"; {lowerCount} pair(s) beyond the scratch runs' largest budget enter at their lower bound, {upperCount} below the smallest at their upper bound" : ""),
        });
        foreach (var g in fit.Cells.GroupBy(c => c.Point.Model).OrderBy(g => g.First().Point.Params))
        {
            var r = rows.Base(MultiplierKind.ByStudent, Name, s, ComparisonFit.Key(Name, s.Name, "by:" + g.Key), out var gci);
            var lo = g.Count(c => c.Bound == MultiplierBound.Lower);
            var up = g.Count(c => c.Bound == MultiplierBound.Upper);
            var gb = BoundOf(lo, up);
            yield return r with
            {
                Student = g.Key, Params = g.First().Point.Params, Pairs = g.Count(), Censored = lo + up, Bound = gb, Mde = gci.Mde,
                Won = g.Count(c => c.Twin is { } tw && rows.Beats(c.Point, tw)),
                Status = StatusOf(r.M, gb),
            };
        }
        foreach (var c in fit.Cells)
        {
            var ln = c.LnM[s.Name];
            yield return new MultiplierRow
            {
                Kind = MultiplierKind.Cell, Estimand = Name, Treatment = rows.Treatment, Metric = rows.Series.Metric, Accounting = s.Name,
                Student = c.Point.Model, Budget = c.Point.Budget, Seed = c.Point.Seed, Params = c.Point.Params, Y = c.Point.Value,
                Tokens = c.Point.Tokens, Compute = s.Compute(c.Point.Flops), BaselineTokens = EstimandRows.Finite(c.UsedTokens),
                BaselineCompute = double.IsFinite(ln) ? Math.Exp(ln) * s.Compute(c.Point.Flops) : null,
                M = EstimandRows.M(ln), Bound = c.Bound, Pairs = 1, Won = c.Twin is { } tw && rows.Beats(c.Point, tw) ? 1 : 0,
                Censored = c.Bound == MultiplierBound.None ? 0 : 1, Extrapolated = false, Support = c.Bound == MultiplierBound.None ? "" : "D",
                Status = !double.IsFinite(ln) ? MultiplierStatus.NoFit : c.Bound == MultiplierBound.None ? MultiplierStatus.Ok : MultiplierStatus.Censored,
                Note = c.Twin is { } t2 ? string.Create(CultureInfo.InvariantCulture, $"scratch twin (same size, budget, seed): {t2.Value:0.#####}") : "no scratch twin",
            };
        }
    }
}
