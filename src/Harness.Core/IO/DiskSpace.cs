using System.Globalization;

namespace Harness.IO;

/// <summary>Free-space checks and the "disk full" message: which file, how much is needed, what to do.</summary>
public static class DiskSpace
{
    const int ENOSPC = 28;
    const int EDQUOT = 122;

    /// <summary>Bytes free to this user on the filesystem holding <paramref name="path"/> (or a parent that exists).</summary>
    public static long Free(string path)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(path));
        while (dir is not null && !dir.Exists) dir = dir.Parent;
        try { return new DriveInfo(dir?.FullName ?? "/").AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return long.MaxValue; }
    }

    public static bool IsDiskFull(Exception e) =>
        e is IOException io && ((io.HResult & 0xFFFF) is ENOSPC or EDQUOT || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
                                || io.Message.Contains("not enough disk space", StringComparison.OrdinalIgnoreCase) || io.Message.Contains("quota", StringComparison.OrdinalIgnoreCase));

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => $"{bytes} B",
    };

    /// <summary>The error for a write of <paramref name="path"/> that ran out of space; it needs more than <paramref name="needed"/> bytes.</summary>
    public static UserInputException Full(string path, long needed)
    {
        long free = Free(path);
        return new UserInputException($"no space left on the device while writing {path}.",
        [
            $"{path}: needs more than {Bytes(needed)}, {Bytes(free)} free on its filesystem; free at least {Bytes(Math.Max(needed - free, 1 << 20))} "
            + "(or point --out / the repository's .cache elsewhere) and run the same command again: finished work is kept, "
            + "this file was not replaced, and the interrupted unit resumes from its last complete checkpoint.",
        ]);
    }

    /// <summary>Refuses up front when <paramref name="bytes"/> will not fit next to <paramref name="path"/>.</summary>
    public static void Require(string path, long bytes, string what)
    {
        long free = Free(path);
        if (free >= bytes) return;
        throw new UserInputException($"not enough disk space for {what}.",
        [
            $"{path}: needs {Bytes(bytes)}, {Bytes(free)} free on its filesystem, {Bytes(bytes - free)} missing; free that much or move the folder to a larger disk.",
        ]);
    }
}
