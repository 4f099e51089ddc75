namespace Harness.Sweep;

/// <summary>Where the code that produced a run came from, read without running git (it may not be installed).</summary>
public static class Provenance
{
    /// <summary>The commit checked out at <paramref name="repositoryRoot"/>: .git/HEAD, a loose ref or packed-refs;
    /// "unknown" when there is no repository or it cannot be read.</summary>
    public static string GitCommit(string repositoryRoot)
    {
        try
        {
            var head = Path.Combine(repositoryRoot, ".git", "HEAD");
            if (!File.Exists(head)) return "unknown";
            var text = File.ReadAllText(head).Trim();
            if (!text.StartsWith("ref: ", StringComparison.Ordinal)) return text;   // detached HEAD: the commit itself
            var refPath = Path.Combine(repositoryRoot, ".git", text[5..]);
            if (File.Exists(refPath)) return File.ReadAllText(refPath).Trim();
            var packed = Path.Combine(repositoryRoot, ".git", "packed-refs");
            return File.Exists(packed) ? File.ReadLines(packed).FirstOrDefault(l => l.EndsWith(text[5..], StringComparison.Ordinal))?.Split(' ')[0] ?? "unknown" : "unknown";
        }
        catch (IOException) { return "unknown"; }
    }
}
