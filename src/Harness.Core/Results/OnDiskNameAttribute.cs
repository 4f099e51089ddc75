namespace Harness.Results;

/// <summary>
/// An on-disk spelling of a result enum member that <see cref="System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute"/>
/// cannot carry: System.Text.Json refuses an empty member name (even on a type it never converts with its own enum
/// converter), and <see cref="MultiplierBound.None"/> is written as an empty cell.  <see cref="OnDiskEnum{T}"/> reads
/// this attribute first.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class OnDiskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
