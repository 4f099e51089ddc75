namespace Harness.Tests;

/// <summary>
/// A fresh folder under the system temp directory, deleted (with everything in it) on <see cref="Dispose"/>:
/// <c>using var tmp = new TempDirectory();</c> keeps tests from leaving sweeps, caches and checkpoints behind.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Every test folder lives under this one, so a leftover is easy to find (and <c>rm -r</c>).</summary>
    public static readonly string Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "harness-tests");

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(Root, Guid.NewGuid().ToString("N"));

    /// <summary>A path inside this folder (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }                       // a file still held open (e.g. a failed test's cache): left for the OS
        catch (UnauthorizedAccessException) { }
    }

    public override string ToString() => Path;
}
