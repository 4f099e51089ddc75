using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>Status of a multiplier row (the <c>status</c> column of multipliers.csv and field of summary.json).</summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierStatus>))]
public enum MultiplierStatus
{
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>The value is a bound (see <see cref="MultiplierRow.Bound"/>).</summary>
    [JsonStringEnumMemberName("censored")] Censored,
    /// <summary>Outside the data's support (see <see cref="MultiplierRow.Support"/>); listed, kept out of the headline.</summary>
    [JsonStringEnumMemberName("extrapolated")] Extrapolated,
    /// <summary>No value on purpose; <see cref="MultiplierRow.Note"/> says why (e.g. accuracy near chance).</summary>
    [JsonStringEnumMemberName("withheld")] Withheld,
    /// <summary>A fit failed or gave no finite value; the note says which.</summary>
    [JsonStringEnumMemberName("no fit")] NoFit,
    [JsonStringEnumMemberName("no pairs")] NoPairs,
}
