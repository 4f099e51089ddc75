using System.Globalization;
using Harness.Estimation.Estimands;

namespace Harness.Estimation.Intervals;

/// <summary>
/// Replicates of every ln M of a comparison.  With 3 or more seeds, a cluster bootstrap with the seed as the unit (Cameron,
/// Gelbach &amp; Miller 2008): seeds are drawn with replacement and a drawn seed brings both arms' runs (when the arms
/// share seeds; otherwise each arm's seeds are drawn on their own), every replicate refitted cold.  With fewer seeds,
/// or when forced (the placebo), the parametric <see cref="ResidualBootstrap"/>.  Replicate b draws from its own
/// <see cref="Bootstrap.DeriveSeed"/> generator, so the replicates do not depend on thread scheduling.
/// </summary>
internal static class SeedClusterBootstrap
{
    static IReadOnlyList<MetricPoint> Relabel(IEnumerable<MetricPoint> points, string seed) => points.Select(p => p with { Seed = seed }).ToList();

    public static Replicates Run(ComparisonDesign design, IReadOnlyList<MetricPoint> baseline, IReadOnlyList<MetricPoint> treatment, ComparisonFit main,
                                 int count, int seed, bool forceParametric)
    {
        var baseSeeds = baseline.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToArray();
        var treatSeeds = treatment.Select(p => p.Seed).Distinct().Order(StringComparer.Ordinal).ToArray();
        var shared = baseSeeds.Intersect(treatSeeds).ToArray();
        var sharedDesign = shared.Length == baseSeeds.Length && shared.Length == treatSeeds.Length;
        var clusters = sharedDesign ? shared.Length : Math.Min(baseSeeds.Length, treatSeeds.Length);
        var parametric = forceParametric || clusters < 3;
        var interval = parametric ? Replicates.ParametricResidual : Replicates.ClusterSeedT;
        var keys = main.LnM.Keys.ToArray();
        var values = keys.ToDictionary(k => k, _ => new double[count], StringComparer.Ordinal);
        var reasons = keys.ToDictionary(k => k, _ => new string?[count], StringComparer.Ordinal);
        if (count == 0) return new Replicates(values, interval, clusters, 0) { Reasons = reasons };

        var byBaseSeed = baseline.GroupBy(p => p.Seed).ToDictionary(g => g.Key, g => g.ToList());
        var byTreatSeed = treatment.GroupBy(p => p.Seed).ToDictionary(g => g.Key, g => g.ToList());
        var residuals = parametric ? ResidualBootstrap.Build(design, baseline, treatment, main, pooled: forceParametric) : null;
        void Fail(int b, string why) { foreach (var k in keys) { values[k][b] = double.NaN; reasons[k][b] = why; } }
        void Store(int b, IReadOnlyList<MetricPoint> bs, IReadOnlyList<MetricPoint> ts)
        {
            ComparisonFit fit;
            try { fit = ComparisonFit.Evaluate(design, bs, ts, detail: false); }
            catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException) { Fail(b, FailureClass.RefitError); return; }
            foreach (var k in keys)
            {
                var v = fit.LnM.TryGetValue(k, out var x) ? x : double.NaN;
                values[k][b] = v;
                reasons[k][b] = double.IsFinite(v) ? null : Classify(design, fit, k);
            }
        }
        if (parametric)
        {
            Parallel.For(0, count, b =>
            {
                if (residuals is null) { Fail(b, FailureClass.NoResidualModel); return; }
                var (bs, ts) = residuals.Draw(new Random(Bootstrap.DeriveSeed(seed, b)));
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
                var rng = new Random(Bootstrap.DeriveSeed(seed, b));
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
                if (first != b) foreach (var k in keys) { values[k][b] = values[k][first]; reasons[k][b] = reasons[k][first]; }
            }
        }
        return new Replicates(values, interval, clusters, count) { Reasons = reasons };
    }

    /// <summary>Why the refit gave no finite value for <paramref name="key"/> (README "Failed replicates").</summary>
    static string Classify(ComparisonDesign design, ComparisonFit fit, string key)
    {
        var armsFitted = design.UsesSizes ? fit.BaseArm is not null && fit.TreatArm is not null : fit.BaseCurve is not null && fit.TreatCurve is not null;
        if (key.Contains("|crossover:", StringComparison.Ordinal)) return fit.Trend is null ? FailureClass.AugmentedFit : FailureClass.NoCrossing;
        if (key.Contains("|payoff:", StringComparison.Ordinal)) return fit.Trend is null ? FailureClass.AugmentedFit : FailureClass.NoPayoff;
        if (key.Contains("|slope:", StringComparison.Ordinal)) return fit.Trend is null ? FailureClass.AugmentedFit : FailureClass.NoValue;
        if (key.StartsWith(Harness.Results.OnDiskEnum<Harness.Results.Estimand>.Name(Harness.Results.Estimand.EffectiveData) + "|", StringComparison.Ordinal))
            return fit.Augmented is null ? FailureClass.AugmentedFit : FailureClass.NoValue;
        return armsFitted ? FailureClass.TargetOutOfRange : FailureClass.LawFit;
    }
}
