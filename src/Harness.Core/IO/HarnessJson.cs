using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.IO;

/// <summary>
/// The JSON conventions of every file the harness reads or writes (configs, manifests, plans, claims, checkpoints'
/// config.json): snake_case keys, comments and trailing commas accepted, unknown keys refused, nulls left out, NaN and
/// ±Infinity as named literals.
/// </summary>
public static class HarnessJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
