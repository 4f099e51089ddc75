using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>
/// The estimands of the efficiency multiplier, the <c>estimand</c> column of multipliers.csv and field of summary.json;
/// estimands are never averaged together.  Formulas: README "Efficiency-multiplier estimator", and each estimand's class
/// in Estimation/Estimands.  Declaration order is the order they are measured, written and shown.
/// </summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<Estimand>))]
public enum Estimand
{
    /// <summary>(a) M_F(y) = C*_scratch(y) / C*_treatment(y): each arm's compute frontier fitted by the same rule.</summary>
    [JsonStringEnumMemberName("frontier")] Frontier,
    /// <summary>(b) Per (student, budget, seed) pair: scratch tokens of that size needed to reach the treatment's value ÷ the treatment's.</summary>
    [JsonStringEnumMemberName("same_size")] SameSize,
    /// <summary>(c) e^τ of the joint fit L(N, D) = E + A/N^α + B/(e^τ·D)^β over both arms (Ho et al. 2024's augmented law).</summary>
    [JsonStringEnumMemberName("effective_data")] EffectiveData,
}
