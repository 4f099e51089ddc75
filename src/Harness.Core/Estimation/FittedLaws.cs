using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// The laws of fits.json (<see cref="FittedLaw"/>: a form and named parameters) to and from the estimator's own law
/// types, in one place: the estimator writes them with <c>ToFitted</c>, the report draws them with <see cref="Frontier"/>.
/// </summary>
public static class FittedLaws
{
    /// <summary>L(N, D) = E + A/N^α + B/D^β (<see cref="ChinchillaLaw"/>, Hoffmann et al. 2022).</summary>
    public const string Chinchilla = "chinchilla";
    /// <summary>L(C) = E + A·C^(−α) (<see cref="PowerLaw"/>, Kaplan et al. 2020).</summary>
    public const string PowerLawForm = "power_law";
    /// <summary>y(C) = F + (U − F)·σ(k·(ln C − x₀)) (<see cref="SigmoidLaw"/>, Owen 2024).</summary>
    public const string Sigmoid = "sigmoid";
    /// <summary>Ho et al. 2024's effective-data law (<see cref="AugmentedLaw"/>).</summary>
    public const string Augmented = "augmented";

    public static FittedLaw ToFitted(ChinchillaLaw law) => new()
    {
        Form = Chinchilla,
        Parameters = new Dictionary<string, double> { ["E"] = law.E, ["A"] = law.A, ["B"] = law.B, ["alpha"] = law.Alpha, ["beta"] = law.Beta },
    };

    public static FittedLaw ToFitted(PowerLaw law) => new()
    {
        Form = PowerLawForm,
        Parameters = new Dictionary<string, double> { ["E"] = law.E, ["A"] = law.A, ["alpha"] = law.Alpha },
    };

    public static FittedLaw ToFitted(SigmoidLaw law) => new()
    {
        Form = Sigmoid,
        Parameters = new Dictionary<string, double>
        {
            ["floor"] = law.Floor, ["ceiling"] = law.Ceiling, ["slope"] = law.Slope, ["midpoint_ln_compute"] = law.Midpoint,
        },
    };

    /// <summary>The law of a <see cref="Chinchilla"/> (or <see cref="Augmented"/>: its shared L(N, D)) fit; null for other forms.</summary>
    public static ChinchillaLaw? AsChinchilla(FittedLaw law) => law.Form is Chinchilla or Augmented
        ? new ChinchillaLaw(P(law, "E"), P(law, "A"), P(law, "B"), P(law, "alpha"), P(law, "beta")) : null;

    public static PowerLaw? AsPowerLaw(FittedLaw law) => law.Form == PowerLawForm ? new PowerLaw(P(law, "E"), P(law, "A"), P(law, "alpha")) : null;

    public static SigmoidLaw? AsSigmoid(FittedLaw law) => law.Form == Sigmoid
        ? new SigmoidLaw(P(law, "floor"), P(law, "ceiling"), P(law, "slope"), P(law, "midpoint_ln_compute")) : null;

    static double P(FittedLaw law, string name) => law.Parameters.TryGetValue(name, out var v) ? v : double.NaN;

    /// <summary>
    /// An arm's fitted frontier y(C) of student compute, and a one-line description; null when its law cannot be drawn
    /// (no law, an unknown form, or a Chinchilla law without sizes).  Chinchilla: y(C) = min over N of L(N, C / c(N)),
    /// N over 64 sizes even in ln N across the arm's sizes and c(N) the measured FLOPs per token interpolated in ln N
    /// (<see cref="LossArm"/>'s rule, so the drawn frontier is the one the multiplier inverts).
    /// </summary>
    public static (Func<double, double> Predict, string Description)? Frontier(ArmFit arm)
    {
        if (arm.Law is not { } law) return null;
        if (law.Form == Chinchilla && AsChinchilla(law) is { } c && arm.Sizes.Count > 0)
        {
            var sizes = arm.Sizes.OrderBy(s => s.Params).Select(s => new SizeSupport(s.Student, s.Params, s.FlopsPerToken, s.MinTokens, s.MaxTokens)).ToArray();
            return (compute => LossArm.ValueAt(c, sizes, compute),
                    $"{arm.Group}: L = {c.E:G3} + {c.A:G3}/N^{c.Alpha:G3} + {c.B:G3}/D^{c.Beta:G3}, frontier over N in [{sizes[0].Params:G3}, {sizes[^1].Params:G3}]");
        }
        if (AsPowerLaw(law) is { } p)
            return (p.Predict, $"{arm.Group}: y = {p.E:G3} + {p.A:G3}·C^−{p.Alpha:G3}");
        if (AsSigmoid(law) is { } s)
            return (s.Predict, $"{arm.Group}: y = {s.Floor:G3} + ({s.Ceiling:G3} − {s.Floor:G3})·σ({s.Slope:G3}(ln C − {s.Midpoint:G4}))");
        return null;
    }
}
