using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>How a command prints its result: <c>--format table|json|csv|md</c> (what each command supports is in its help).</summary>
public enum OutputFormat { Table, Json, Csv, Md }

/// <summary>Console setup and machine-readable output shared by the commands.</summary>
public static class Output
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Parses <c>--format</c>; an unsupported value is a user error naming the valid ones.</summary>
    public static OutputFormat Parse(string? value, params OutputFormat[] allowed)
    {
        if (value is null) return OutputFormat.Table;
        var v = value.Trim().ToLowerInvariant();
        var format = v switch { "table" => OutputFormat.Table, "json" => OutputFormat.Json, "csv" => OutputFormat.Csv, "md" or "markdown" => OutputFormat.Md, _ => (OutputFormat?)null };
        if (format is null || (allowed.Length > 0 && !allowed.Contains(format.Value)))
            throw new UserInputException($"--format: value '{value}' is not supported here.",
                [$"--format: use one of {string.Join(", ", (allowed.Length > 0 ? allowed : Enum.GetValues<OutputFormat>()).Select(f => f.ToString().ToLowerInvariant()))}."]);
        return format.Value;
    }

    /// <summary>
    /// With <c>--format json</c>, standard output carries only the JSON document: human messages go to standard error.
    /// Outside a terminal (Slurm, CI, <c>&gt; file</c>) lines are not wrapped at 80 columns.
    /// </summary>
    public static void Configure(OutputFormat format)
    {
        bool toStderr = format != OutputFormat.Table;
        var redirected = toStderr ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        if (toStderr)
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (redirected) AnsiConsole.Profile.Width = 400;
    }

    /// <summary>True outside a terminal (Slurm, CI, <c>&gt; file</c>) or with <c>HARNESS_PLAIN_LOG=1</c>: tables that would
    /// be wider than <see cref="LogWidth"/> print in a narrow layout a log can show.</summary>
    public static bool PlainLog => Console.IsOutputRedirected || Environment.GetEnvironmentVariable("HARNESS_PLAIN_LOG") == "1";

    /// <summary>The widest line a table prints in a log (<see cref="PlainLog"/>).</summary>
    public const int LogWidth = 120;

    /// <summary><paramref name="text"/> broken at spaces into lines of at most <paramref name="width"/> characters, the
    /// lines after the first indented by two spaces (a word longer than a line stays whole).</summary>
    public static IEnumerable<string> Wrap(string text, int width = LogWidth)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = "  " + word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        yield return line;
    }

    /// <summary>True when progress should be live Spectre bars (a terminal), false for one timestamped line per event.</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("HARNESS_PLAIN_LOG") != "1";

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));
}
