using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Harness.Estimation;

/// <summary>Objective with analytic gradient: returns f(x) and writes ∇f(x) into <c>gradient</c>. Must be thread-safe.</summary>
internal delegate double ValueAndGradient(double[] x, double[] gradient);

/// <summary>
/// Multi-start L-BFGS (MathNet.Numerics' <see cref="LimitedMemoryBfgsMinimizer"/>), as in Epoch AI's Chinchilla
/// replication (Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt"): the Huber objectives used here
/// have several local minima, so the fit starts from a grid and keeps the best end point.
/// </summary>
internal static class MultiStartMinimizer
{
    /// <summary>
    /// Evaluates the objective at every start, runs L-BFGS from the <paramref name="keep"/> best of them and returns the
    /// lowest point seen.  Screening the grid first is what makes Epoch's 4500-point grid affordable: a start whose
    /// initial value is poor almost never ends in the best basin.  Ties break on start order, so results do not depend
    /// on thread scheduling.
    /// </summary>
    public static (double[] X, double F) Minimize(ValueAndGradient f, IReadOnlyList<double[]> starts, int keep, bool parallel)
    {
        if (starts.Count == 0) throw new ArgumentException("no starting points", nameof(starts));
        var initial = new double[starts.Count];
        for (var i = 0; i < starts.Count; i++)
        {
            var v = f(starts[i], new double[starts[i].Length]);
            initial[i] = double.IsFinite(v) ? v : double.PositiveInfinity;
        }
        var chosen = Enumerable.Range(0, starts.Count).OrderBy(i => initial[i]).ThenBy(i => i)
                               .Take(Math.Max(1, keep)).ToArray();
        var results = new (double[] X, double F)[chosen.Length];
        if (parallel && chosen.Length > 1)
            Parallel.For(0, chosen.Length, j => results[j] = Local(f, starts[chosen[j]]));
        else
            for (var j = 0; j < chosen.Length; j++) results[j] = Local(f, starts[chosen[j]]);
        var best = results[0];
        for (var j = 1; j < results.Length; j++)
            if (results[j].F < best.F) best = results[j];
        return best;
    }

    /// <summary>
    /// One L-BFGS run.  The optimiser can stop by throwing (iteration limit, failed line search on the Huber kinks,
    /// an overflow far from the data); every evaluated point is tracked, so the best one so far is kept in any case.
    /// </summary>
    public static (double[] X, double F) Local(ValueAndGradient f, double[] start)
    {
        var n = start.Length;
        var bestF = double.PositiveInfinity;
        var bestX = (double[])start.Clone();
        var objective = ObjectiveFunction.Gradient(v =>
        {
            var x = v.ToArray();
            var g = new double[n];
            var value = f(x, g);
            if (!double.IsFinite(value) || g.Any(d => !double.IsFinite(d)))
                throw new ArithmeticException("objective not finite");
            if (value < bestF) { bestF = value; bestX = x; }
            return (value, Vector<double>.Build.Dense(g));
        });
        try
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(1e-10, 1e-12, 1e-14, 10, 2000);
            minimizer.FindMinimum(objective, Vector<double>.Build.Dense(start));
        }
        catch (Exception e) when (e is OptimizationException or ArithmeticException or ArgumentException)
        {
            // Keep the best point evaluated so far; see the summary.
        }
        return (bestX, bestF);
    }
}
