using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace Harness.Cli;

/// <summary>
/// Checks a command line against the registered commands and their settings classes before anything runs: an unknown
/// command or option is an error with a did-you-mean suggestion and the valid list (exit code 2), and an option that
/// was renamed says what it is called now.  Spectre's own strict parsing stays on as a backstop.
/// </summary>
public static class ArgumentChecker
{
    /// <summary>Options that changed name (one naming scheme: <c>--out</c> = where a command writes, <c>--format</c> = how it prints).</summary>
    static readonly Dictionary<(string Command, string Option), string> Renamed = new()
    {
        [("run", "--results")] = "--out DIR (results root; the run lands in DIR/<experiment>/<config-hash>/)",
        [("submit", "--results")] = "--out DIR (results root)",
        [("worker", "--results")] = "--out DIR (results root)",
        [("fit-scaling", "--json")] = "--format json",
        [("compare", "--detail-json")] = "--format json --detail",
    };

    /// <summary>Every problem with the command line (empty when it is fine).</summary>
    public static IReadOnlyList<string> Check(string[] args, IReadOnlyDictionary<string, Type> commands)
    {
        var problems = new List<string>();
        if (args.Length == 0 || args[0].StartsWith('-')) return problems; // --help / --version handled by the caller and Spectre
        var name = args[0];
        if (!commands.TryGetValue(name, out var command))
        {
            var suggestion = Closest(name, commands.Keys);
            problems.Add($"unknown command '{name}'{(suggestion is null ? "." : $"; did you mean '{suggestion}'?")} Commands: {string.Join(", ", commands.Keys.Order(StringComparer.Ordinal))}.");
            return problems;
        }
        var valid = OptionNames(command);
        for (int i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--") break;
            if (!arg.StartsWith('-') || arg.Length == 1 || double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) continue;
            var option = arg.Split('=', 2)[0];
            if (valid.Contains(option)) continue;
            if (Renamed.TryGetValue((name, option), out var now) || (option == "--json" && valid.Contains("--format") && (now = "--format json") is not null))
            {
                problems.Add($"{name} {option}: this option is now {now}.");
                continue;
            }
            var suggestion = Closest(option, valid.Where(v => v.StartsWith("--", StringComparison.Ordinal)));
            problems.Add($"{name}: unknown option '{option}'{(suggestion is null ? "." : $"; did you mean '{suggestion}'?")} " +
                         $"Options of `harness {name}`: {string.Join(", ", valid.Where(v => v.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal))} (see `harness help {name}`).");
        }
        return problems;
    }

    /// <summary>Long and short names (with dashes) of every option a command's settings accept, plus help.</summary>
    public static HashSet<string> OptionNames(Type commandType)
    {
        var settings = SettingsType(commandType);
        var names = new HashSet<string>(StringComparer.Ordinal) { "-h", "--help" };
        foreach (var p in settings.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.GetCustomAttribute<CommandOptionAttribute>() is { } o)
            {
                foreach (var l in o.LongNames) names.Add("--" + l);
                foreach (var s in o.ShortNames) names.Add("-" + s);
            }
        return names;
    }

    static Type SettingsType(Type commandType)
    {
        for (var t = commandType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericArguments() is [var s] && typeof(CommandSettings).IsAssignableFrom(s)) return s;
        throw new InvalidOperationException($"{commandType.Name} has no settings type");
    }

    /// <summary>The closest candidate by edit distance after ignoring case, dashes and underscores; null when nothing is near.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        static string Norm(string s) => new(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        var n = Norm(input);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var cn = Norm(c);
            int d = cn == n ? 0 : Levenshtein(n, cn);
            if (cn.StartsWith(n, StringComparison.Ordinal) && n.Length >= 3) d = Math.Min(d, 1);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, n.Length / 3) ? best : null;
    }

    static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
