namespace Harness.IO;

/// <summary>
/// The one gate through which a config value becomes part of a path.  A name (experiment, student, budget, method, task,
/// teacher) must be a plain folder name — letters, digits, '.', '-', '_', not starting with '.', at most 100 characters —
/// so it can never leave the folder it is placed in ('/', '\', '..', an absolute path), hide itself ('.x'), or carry
/// control characters into a file name.  Config validation reports <see cref="Problem"/>; writers call <see cref="Child"/>,
/// which refuses anything validation would have refused (defence in depth for values that did not come through a config).
/// </summary>
public static class PathNames
{
    public const int MaxLength = 100;

    /// <summary>Null when <paramref name="name"/> is a plain folder name, else the rule it breaks (no trailing period).</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "must be a non-empty plain folder name";
        if (name.Length > MaxLength) return $"is {name.Length} characters long; at most {MaxLength} are allowed in a folder name";
        if (name.Any(char.IsControl)) return "contains a control character; use letters, digits, '.', '-' and '_' only";
        if (name is "." or "..") return "is '.' or '..', which names a parent or the same folder, not a new one";
        if (Path.IsPathRooted(name)) return "is an absolute path; a name must be a plain folder name, not a path";
        if (name.IndexOfAny(['/', '\\']) >= 0) return "contains '/' or '\\', which would nest folders or leave the results folder";
        if (name.StartsWith('.')) return "starts with '.', which makes a hidden folder";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            return "contains characters other than letters, digits, '.', '-' and '_'";
        return null;
    }

    /// <summary>The full message for the config value at <paramref name="jsonPath"/>, or null when it is a plain name.</summary>
    public static string? Check(string jsonPath, string? name, string use) =>
        Problem(name) is { } rule
            ? $"{jsonPath}: value {Show(name)} {rule}; it names {use}, so it must be a plain folder name (letters, digits, '.', '-', '_'; no '/', '\\', '..' or absolute path), e.g. \"{Suggest(name)}\"."
            : null;

    /// <summary>
    /// <paramref name="directory"/>/<paramref name="names"/>… after checking that every name is plain; throws
    /// <see cref="UserInputException"/> otherwise.  The result always lies inside <paramref name="directory"/>.
    /// </summary>
    public static string Child(string directory, params string[] names)
    {
        var problems = names.Select(n => Problem(n) is { } rule ? $"{Show(n)} {rule}." : null).OfType<string>().ToList();
        if (problems.Count > 0)
            throw new UserInputException($"a name that becomes part of a path under {directory} is not a plain folder name.",
                problems.Select(p => $"{directory}: {p} Rename it to letters, digits, '.', '-' and '_'.").ToList());
        return Path.Combine([directory, .. names]);
    }

    /// <summary>
    /// A config value that names a path the user chose (teacher checkpoint, train config): absolute as given, or relative
    /// to <paramref name="root"/>.  Refuses an empty value or control characters with a message naming
    /// <paramref name="jsonPath"/>; such a value may point anywhere the user wants, unlike a name.
    /// </summary>
    public static string ConfigPath(string root, string? value, string jsonPath)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl))
            throw new UserInputException($"{jsonPath}: value {Show(value)} is not a usable path.",
                [$"{jsonPath}: value {Show(value)} {(string.IsNullOrWhiteSpace(value) ? "is empty" : "contains a control character")}; give a folder or file path, absolute or relative to {root}."]);
        return Path.IsPathRooted(value) ? value : Path.GetFullPath(Path.Combine(root, value));
    }

    /// <summary>A name made plain: other characters become '-', for the "e.g." of a message.</summary>
    public static string Suggest(string? name)
    {
        var cleaned = new string((name ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (cleaned.Length > MaxLength) cleaned = cleaned[..MaxLength];
        return cleaned.Length == 0 ? "name1" : cleaned;
    }

    /// <summary>The value quoted for a message, control characters escaped so they cannot garble the terminal.</summary>
    public static string Show(string? name) =>
        name is null ? "null" : "\"" + string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";
}
