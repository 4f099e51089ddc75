namespace Harness.IO;

/// <summary>
/// Checks, before any work, that a folder a command will write into can be written: the folder itself when it exists,
/// else the nearest existing parent (where it would be created).  A probe file is created and deleted; nothing else is
/// touched, so a refusal leaves the disk as it was.
/// </summary>
public static class WritableFolder
{
    /// <summary>Throws <see cref="UserInputException"/> naming <paramref name="directory"/> when it cannot be written.</summary>
    /// <param name="what">What goes there, for the message ("the results folder", "--out").</param>
    public static void Require(string directory, string what)
    {
        var full = Path.GetFullPath(directory);
        var probeIn = new DirectoryInfo(full);
        while (probeIn is not null && !probeIn.Exists)
        {
            if (File.Exists(probeIn.FullName))
                throw Refused(full, what, $"{probeIn.FullName} is a file, not a folder");
            probeIn = probeIn.Parent;
        }
        if (probeIn is null) throw Refused(full, what, "no part of the path exists");
        var probe = Path.Combine(probeIn.FullName, $".harness-write-probe.{TempFiles.Tag}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            if (e is IOException io && DiskSpace.IsDiskFull(io)) throw DiskSpace.Full(probe, 1);
            throw Refused(full, what, probeIn.FullName == full ? $"it is read-only to this user ({e.Message})"
                                                              : $"{probeIn.FullName}, where it would be created, is read-only to this user ({e.Message})");
        }
        finally
        {
            try { File.Delete(probe); } catch (Exception e) when (e is UnauthorizedAccessException or IOException) { _ = e; }
        }
    }

    static UserInputException Refused(string directory, string what, string why) =>
        new($"{what} {directory} cannot be written; nothing was run.",
            [$"{directory}: {why}; make it writable (chmod u+w) or choose another folder (--out DIR), then run the same command again."]);
}
