using System.Text.RegularExpressions;
using Harness.Cli;
using Spectre.Console;

namespace Harness.Tests.Cli;

/// <summary>
/// Runs <c>harness</c> in-process with standard output, standard error and Spectre's console captured as plain text
/// (no colours, 400 columns as outside a terminal, <c>HARNESS_PLAIN_LOG=1</c>), and compares it with a committed
/// snapshot in <c>tests/Harness.Tests/Cli/Snapshots/NAME.txt</c>.  Set <c>HARNESS_UPDATE_SNAPSHOTS=1</c> to write the
/// snapshots instead (then review the diff and commit it).  The text is normalised so a snapshot holds no machine
/// detail: temp folders become <c>&lt;TMP&gt;</c>, the repository <c>&lt;REPO&gt;</c>, UTC stamps <c>&lt;UTC&gt;</c>,
/// and durations <c>&lt;S&gt; s</c>.
/// </summary>
public static class CliSnapshot
{
    public const string UpdateVariable = "HARNESS_UPDATE_SNAPSHOTS";
    static readonly Lock Gate = new();

    /// <summary>Exit code and everything printed (stdout and stderr interleaved as written), normalised.</summary>
    public static (int Exit, string Text) Run(string[] args, params string[] folders)
    {
        lock (Gate)
        {
            var (stdout, stderr, console) = (Console.Out, Console.Error, AnsiConsole.Console);
            var plain = Environment.GetEnvironmentVariable("HARNESS_PLAIN_LOG");
            var writer = new StringWriter { NewLine = "\n" };
            try
            {
                Console.SetOut(writer);
                Console.SetError(writer);
                Environment.SetEnvironmentVariable("HARNESS_PLAIN_LOG", "1");
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                });
                AnsiConsole.Profile.Width = 400;
                var exit = HarnessApp.Run(args);
                return (exit, Normalise(writer.ToString(), folders));
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
                AnsiConsole.Console = console;
                Environment.SetEnvironmentVariable("HARNESS_PLAIN_LOG", plain);
            }
        }
    }

    public static string Normalise(string text, params string[] folders)
    {
        foreach (var f in folders.OrderByDescending(f => f.Length))
            text = text.Replace(Path.GetFullPath(f), "<TMP>", StringComparison.Ordinal).Replace(f, "<TMP>", StringComparison.Ordinal);
        text = text.Replace(CliTests.RepositoryRoot(), "<REPO>", StringComparison.Ordinal);
        text = Regex.Replace(text, @"\d{8}T\d{6}Z(-\d+)?", "<UTC>");
        text = Regex.Replace(text, @"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?", "<UTC>");
        text = Regex.Replace(text, @"\b\d+(\.\d+)? s\b", "<S> s");
        // A centred title that holds a replaced path is padded by the path's real length: drop that padding.
        text = string.Join("\n", text.Split('\n').Select(l => (l.TrimStart().StartsWith("<TMP>", StringComparison.Ordinal) ? l.Trim() : l).TrimEnd()));
        return text.TrimEnd() + "\n";
    }

    /// <summary>Asserts <paramref name="text"/> equals snapshot <paramref name="name"/> (or writes it, see <see cref="UpdateVariable"/>).</summary>
    public static void Match(string name, string text)
    {
        var path = Path.Combine(CliTests.RepositoryRoot(), "tests", "Harness.Tests", "Cli", "Snapshots", name + ".txt");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return;
        }
        Assert.True(File.Exists(path), $"no snapshot {path}; run the test with {UpdateVariable}=1 to write it, review it and commit it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != text)
            Assert.Fail($"{name}: output differs from {path} (rerun with {UpdateVariable}=1 to accept it, then review the diff).\n" +
                        $"--- expected\n{expected}--- actual\n{text}");
    }
}
