using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;

namespace Harness.Results;

/// <summary>
/// The on-disk spelling of a result enum (<c>"ok"</c>, <c>"by_student"</c>), taken from each member's
/// <see cref="JsonStringEnumMemberNameAttribute"/> (or <see cref="OnDiskNameAttribute"/>): one table per enum serves JSON (<see cref="OnDiskEnumJsonConverter{T}"/>)
/// and CSV (<see cref="OnDiskEnumCsvConverter{T}"/>).  Reading ignores case, as the string comparisons it replaces did.
/// </summary>
public static class OnDiskEnum<T> where T : struct, Enum
{
    static readonly IReadOnlyDictionary<T, string> names = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToDictionary(f => (T)f.GetValue(null)!, f => f.GetCustomAttribute<OnDiskNameAttribute>()?.Name
                                                       ?? f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                                                       ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no JsonStringEnumMemberName."));

    static readonly IReadOnlyDictionary<string, T> values = names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every spelling, in declaration order (for messages).</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<T>().Select(v => names[v]).ToList();

    /// <summary>The spellings for an error message ("(empty)" for the empty one).</summary>
    public static string Valid => string.Join(", ", Names.Select(n => n.Length == 0 ? "(empty)" : n));

    public static string Name(T value) => names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    public static bool TryParse(string? text, out T value) => values.TryGetValue(text?.Trim() ?? "", out value);

    /// <summary>The value spelled <paramref name="text"/>; a clear message naming the valid spellings otherwise.</summary>
    public static T Parse(string? text, string where) =>
        TryParse(text, out var value) ? value
            : throw new UserInputException($"{where}: '{text}' is not a {typeof(T).Name}; valid: {Valid}. " +
                                           "Was the file written by this version of harness?");
}

/// <summary>System.Text.Json converter writing <see cref="OnDiskEnum{T}"/> spellings.</summary>
public sealed class OnDiskEnumJsonConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"{typeof(T).Name}: expected a string ({OnDiskEnum<T>.Valid}), got {reader.TokenType}.");
        var text = reader.GetString();
        return OnDiskEnum<T>.TryParse(text, out var value) ? value
            : throw new JsonException($"'{text}' is not a {typeof(T).Name}; valid: {OnDiskEnum<T>.Valid}.");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(OnDiskEnum<T>.Name(value));
}

/// <summary>CsvHelper converter writing <see cref="OnDiskEnum{T}"/> spellings (put on a column with <c>[TypeConverter]</c>).</summary>
public sealed class OnDiskEnumCsvConverter<T> : DefaultTypeConverter where T : struct, Enum
{
    public override object? ConvertFromString(string? text, IReaderRow row, MemberMapData memberMapData) =>
        OnDiskEnum<T>.TryParse(text, out var value) ? value
            : throw new TypeConverterException(this, memberMapData, text, row.Context,
                $"column '{memberMapData.Names.FirstOrDefault()}': '{text}' is not a {typeof(T).Name}; valid: {OnDiskEnum<T>.Valid}");

    public override string? ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
        value is T v ? OnDiskEnum<T>.Name(v) : "";
}
