namespace Harness.Tests;

/// <summary>The run's temp folder: killed runs' folders (and old-layout leftovers) are swept by the next run, live runs' folders and foreign ones kept.</summary>
public class TestSessionTests
{
    [Fact]
    public void Abandoned_session_folders_are_swept_and_live_or_foreign_ones_kept()
    {
        using var tmp = new TempDirectory();
        string Folder(string name) => Directory.CreateDirectory(tmp.File(name)).FullName;
        var abandoned = Folder("run-1-dead");
        File.WriteAllText(Path.Combine(abandoned, ".owner"), "");                       // nobody holds its lock
        Directory.CreateDirectory(Path.Combine(abandoned, "sweep", "units"));
        var live = Folder("run-2-live");
        using var held = new FileStream(Path.Combine(live, ".owner"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var starting = Folder("run-3-starting");                                          // no owner file yet, just created
        var foreign = Folder("0123456789abcdef");                                         // not a session folder
        var legacyLeftover = Folder("0123456789abcdef0123456789abcdef");                  // the old layout, untouched for 3 h
        Directory.SetLastWriteTimeUtc(legacyLeftover, DateTime.UtcNow - TimeSpan.FromHours(3));
        var legacyRecent = Folder("fedcba9876543210fedcba9876543210");                    // the old layout, in use by a live run

        TestSession.SweepAbandonedSessions(tmp.Path);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(starting));
        Assert.True(Directory.Exists(foreign));
        Assert.False(Directory.Exists(legacyLeftover));
        Assert.True(Directory.Exists(legacyRecent));
        // Every TempDirectory of this run sits in this run's (live, locked) session folder under the shared root.
        Assert.Equal(TestSession.Directory, Path.GetDirectoryName(tmp.Path));
        Assert.Equal(TempDirectory.Root, Path.GetDirectoryName(TestSession.Directory));
        Assert.Throws<IOException>(() => new FileStream(Path.Combine(TestSession.Directory, ".owner"), FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
    }
}
