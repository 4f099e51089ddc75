namespace Harness;

/// <summary>
/// Input the user must fix (config, table, checkpoint, arguments).  Carries every problem found, each one naming
/// the file, the field or row, the value, the rule and the fix, so one run reports them all.
/// </summary>
public sealed class UserInputException : Exception
{
    public UserInputException(string summary, IReadOnlyList<string> problems)
        : base(summary + (problems.Count > 0 ? Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)) : ""))
    {
        Summary = summary;
        Problems = problems;
    }

    public UserInputException(string message) : this(message, Array.Empty<string>()) { }

    public string Summary { get; }
    public IReadOnlyList<string> Problems { get; }
}
