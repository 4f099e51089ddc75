using System.Globalization;

namespace Harness.Estimation;

/// <summary>
/// Parameters of a fitted L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022) that sit on a bound of their range, so the
/// data do not identify them (issue 23, item 7): E at 0 (below 10⁻⁶ of the smallest observed loss: the irreducible loss
/// is not identified at this scale, as Besiroglu et al. 2024 discuss for Chinchilla's own fit), an exponent at 0 (below
/// 0.01: that term is flat) or past 4 (the term vanishes within the data).  The fit is parametrised in ln E, ln A,
/// ln B, so "on the bound" means the optimiser ran towards it.
/// </summary>
public static class LawBounds
{
    public const double EFloorShare = 1e-6;
    public const double MinExponent = 0.01;
    public const double MaxExponent = 4;

    public static IReadOnlyList<string> Check(ChinchillaLaw law, double minObserved)
    {
        var flags = new List<string>();
        string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        if (law.E < EFloorShare * minObserved)
            flags.Add($"E = {F(law.E)}: at its lower bound 0; the irreducible loss is not identified at this scale, so the law's floor, and every value read off it beyond the runs, rests on the functional form, not the data");
        foreach (var (name, v) in new[] { ("alpha", law.Alpha), ("beta", law.Beta) })
        {
            if (v < MinExponent) flags.Add($"{name} = {F(v)}: at its lower bound 0; that term is flat over the data, so its size (or token) dependence is not identified");
            else if (v > MaxExponent) flags.Add($"{name} = {F(v)}: past {F(MaxExponent)}; that term vanishes within the data, so its dependence is not identified");
        }
        return flags;
    }
}
