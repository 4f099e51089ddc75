using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>
/// Whether <see cref="MultiplierRow.M"/> is a value or a bound (censoring, never dropping): the <c>bound</c> column.
/// <see cref="None"/> is written as an empty string (<see cref="OnDiskNameAttribute"/>), which System.Text.Json's own
/// JsonStringEnumConverter cannot express, so every property of this type also names <see cref="OnDiskEnumJsonConverter{T}"/>:
/// a property converter wins over a JsonStringEnumConverter in the options (the CLI's --json and compare's JSON use one).
/// </summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierBound>))]
public enum MultiplierBound
{
    /// <summary>M is a value (written empty).</summary>
    [OnDiskName("")] None,
    /// <summary>The baseline never reaches the treatment's value inside its data: M is at least the value given ("≥ X").</summary>
    [JsonStringEnumMemberName("lower")] Lower,
    /// <summary>The treatment is worse than the baseline's smallest budget: M is at most the value given ("≤ X").</summary>
    [JsonStringEnumMemberName("upper")] Upper,
    /// <summary>A mean over pairs of which some are lower and some upper bounds.</summary>
    [JsonStringEnumMemberName("mixed")] Mixed,
}
