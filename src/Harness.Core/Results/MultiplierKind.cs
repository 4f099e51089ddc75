using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>Row kinds of multipliers.csv (the <c>kind</c> column).</summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierKind>))]
public enum MultiplierKind
{
    /// <summary>The estimand's summary for one treatment × metric × accounting (the headline numbers).</summary>
    [JsonStringEnumMemberName("summary")] Summary,
    /// <summary>(b) one (student, budget, seed) pair.</summary>
    [JsonStringEnumMemberName("cell")] Cell,
    /// <summary>(a) M_F at one y of the grid over the common range (the curve).</summary>
    [JsonStringEnumMemberName("curve")] Curve,
    /// <summary>(b) geometric mean over the pairs of one student size; (c) e^τ at that size.</summary>
    [JsonStringEnumMemberName("by_student")] ByStudent,
    /// <summary>The built-in placebo: one seed's scratch runs scored as the treatment against the other seeds' scratch runs.</summary>
    [JsonStringEnumMemberName("placebo")] Placebo,
    /// <summary>A slope of ln M (columns slope_*): against ln N or ln D, with its interval and the test of slope = 0 (issue 23).</summary>
    [JsonStringEnumMemberName("slope")] Slope,
    /// <summary>A crossover (columns quantity, value, value_ci95_*): per student and scenario, the student compute at which M crosses 1, or the students K that amortise the teacher (issue 23).</summary>
    [JsonStringEnumMemberName("crossover")] Crossover,
}
