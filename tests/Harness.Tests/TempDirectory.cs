namespace Harness.Tests;

/// <summary>
/// A fresh folder inside this test run's <see cref="TestSession"/> folder, deleted (with everything in it) on
/// <see cref="Dispose"/>: <c>using var tmp = new TempDirectory();</c> keeps tests from leaving sweeps, caches and
/// checkpoints behind.  A folder that is never disposed (a prepared root shared across test classes) goes with the
/// session folder at the end of the run.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Every test run's folder lives under this one, so a leftover is easy to find (and <c>rm -r</c>).</summary>
    public static string Root => TestSession.Root;

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(TestSession.Directory, Guid.NewGuid().ToString("N"));

    /// <summary>A path inside this folder (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => TestSession.DeleteQuietly(Path);

    public override string ToString() => Path;
}

/// <summary>
/// The one temp folder of this test process, <c>$TMPDIR/harness-tests/run-PID-ID/</c>, holding every
/// <see cref="TempDirectory"/>.  <see cref="End"/> deletes it when the last test has run (called by
/// <see cref="HarnessTestFramework"/> before the run reports that it finished, so the test host is not killed
/// half-way through a large delete, and again on process exit as a fallback).  A run that was killed never gets there:
/// its folder holds an <c>.owner</c> file that the live process keeps locked, and the next run deletes every session
/// folder whose lock it can take (the owner is gone), and every folder of the older one-folder-per-test layout that has
/// been untouched for <see cref="LegacyFolderAge"/>.  Folders of live runs, and anything else under the root, are left
/// alone.
/// </summary>
public static class TestSession
{
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "harness-tests");
    const string SessionPrefix = "run-";
    const string OwnerFile = ".owner";

    static readonly object Gate = new();
    static string? directory;
    static FileStream? ownerLock;

    /// <summary>This process's session folder, created (and stale sessions swept) on first use.</summary>
    public static string Directory
    {
        get
        {
            lock (Gate)
            {
                if (directory is not null && System.IO.Directory.Exists(directory)) return directory;
                System.IO.Directory.CreateDirectory(Root);
                SweepAbandonedSessions(Root);
                directory = Path.Combine(Root, FormattableString.Invariant($"{SessionPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"));
                System.IO.Directory.CreateDirectory(directory);
                // FileShare.None takes an exclusive advisory lock (flock) on Unix: held until this process ends or End().
                ownerLock = new FileStream(Path.Combine(directory, OwnerFile), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => End();
                return directory;
            }
        }
    }

    /// <summary>Deletes this process's session folder; a later <see cref="Directory"/> starts a new one.</summary>
    public static void End()
    {
        lock (Gate)
        {
            if (directory is null) return;
            ownerLock?.Dispose();
            ownerLock = null;
            DeleteQuietly(directory);
            directory = null;
        }
    }

    /// <summary>Session folders whose owner lock can be taken belong to a process that is gone (killed runs).</summary>
    internal static void SweepAbandonedSessions(string root)
    {
        foreach (var session in System.IO.Directory.GetDirectories(root, SessionPrefix + "*"))
        {
            try
            {
                using (new FileStream(Path.Combine(session, OwnerFile), FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (FileNotFoundException)
            {
                // No owner file: a session that died at once, or one being created right now (leave that one be).
                if (DateTime.UtcNow - System.IO.Directory.GetLastWriteTimeUtc(session) < TimeSpan.FromMinutes(10)) continue;
            }
            catch (DirectoryNotFoundException) { continue; }    // another run swept it meanwhile
            catch (IOException) { continue; }                  // locked: its run is alive
            catch (UnauthorizedAccessException) { continue; }
            DeleteQuietly(session);
        }
        // Before sessions, each TempDirectory sat directly under the root (32 hex digits) and killed runs left them there.
        // No test process lives for hours, so one untouched that long is a leftover.
        foreach (var legacy in System.IO.Directory.GetDirectories(root))
        {
            var name = Path.GetFileName(legacy);
            if (name.Length == 32 && name.All(Uri.IsHexDigit) && DateTime.UtcNow - System.IO.Directory.GetLastWriteTimeUtc(legacy) > LegacyFolderAge)
                DeleteQuietly(legacy);
        }
    }

    /// <summary>How long a pre-session test folder must have been untouched before a run deletes it.</summary>
    internal static readonly TimeSpan LegacyFolderAge = TimeSpan.FromHours(2);

    internal static void DeleteQuietly(string path)
    {
        if (!System.IO.Directory.Exists(path)) return;
        try { System.IO.Directory.Delete(path, recursive: true); }
        catch (IOException) { }                       // a file still held open (e.g. a failed test's cache): left for the next sweep
        catch (UnauthorizedAccessException) { }
    }
}
