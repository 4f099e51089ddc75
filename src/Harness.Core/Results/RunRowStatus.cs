using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>How a unit ended, the <c>status</c> column of runs.csv and row.json.</summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<RunRowStatus>))]
public enum RunRowStatus
{
    /// <summary>Trained to its budget (or its WSD trunk's end) and evaluated; its numbers enter the estimate.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>Diverged, hit an error after its retries, or could not start; <see cref="RunRow.FailureReason"/> says why.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>On-disk spellings of the result enums, for messages and logs (<c>ToString()</c> gives the C# name).</summary>
public static class ResultEnumText
{
    public static string OnDisk(this RunRowStatus status) => OnDiskEnum<RunRowStatus>.Name(status);
    public static string OnDisk(this MultiplierKind kind) => OnDiskEnum<MultiplierKind>.Name(kind);
    public static string OnDisk(this Estimand estimand) => OnDiskEnum<Estimand>.Name(estimand);
    public static string OnDisk(this MultiplierBound bound) => OnDiskEnum<MultiplierBound>.Name(bound);
    public static string OnDisk(this MultiplierStatus status) => OnDiskEnum<MultiplierStatus>.Name(status);
}
