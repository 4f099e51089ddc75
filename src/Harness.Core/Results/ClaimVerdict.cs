using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>The verdict of one claim of summary.json's <c>claims</c> (issue 23; the rules are in README "Claims").</summary>
[JsonConverter(typeof(OnDiskEnumJsonConverter<ClaimVerdict>))]
public enum ClaimVerdict
{
    /// <summary>The interval of the estimate lies on the claim's side of its threshold.</summary>
    [JsonStringEnumMemberName("supported")] Supported,
    /// <summary>The interval lies on the other side: the claim is false at this design's power.</summary>
    [JsonStringEnumMemberName("contradicted")] Contradicted,
    /// <summary>The interval straddles the threshold (or the estimate is a bound on the wrong side, or the placebo fails).</summary>
    [JsonStringEnumMemberName("cannot tell")] CannotTell,
    /// <summary>The run has no estimate that tests the claim; the note says what it needs.</summary>
    [JsonStringEnumMemberName("not measured")] NotMeasured,
}
