using System.Text.RegularExpressions;

namespace Harness.IO;

/// <summary>
/// Names of temporary files and folders (<c>.NAME.PID~HOST~NONCE.tmp</c>) that say which process made them, so a
/// later start can remove what a killed process left behind without touching a live process's temp files.
/// </summary>
public static partial class TempFiles
{
    /// <summary>This host's name, reduced to characters that are safe in a file name.</summary>
    public static readonly string Host = Regex.Replace(Environment.MachineName, "[^A-Za-z0-9_-]", "_");

    /// <summary>A fresh PID~HOST~NONCE tag for one temp name.</summary>
    public static string Tag => $"{Environment.ProcessId}~{Host}~{Guid.NewGuid():N}";

    [GeneratedRegex(@"\.(\d+)~([A-Za-z0-9_-]+)~[0-9a-f]{32}\.tmp$")]
    private static partial Regex TagPattern();

    /// <summary>True for a temp name whose process is still running (or that belongs to another host and is recent).</summary>
    public static bool IsLiveTemp(string name, DateTime? lastWriteUtc = null)
    {
        var m = TagPattern().Match(name);
        if (!m.Success) return false;
        if (m.Groups[2].Value != Host) return lastWriteUtc is null || DateTime.UtcNow - lastWriteUtc < TimeSpan.FromDays(1);
        return ProcessAlive(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public static bool IsTemp(string name) => TagPattern().IsMatch(name);

    public static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>Removes temp files and folders under <paramref name="root"/> left by processes that no longer run; returns how many.</summary>
    public static int RemoveStale(string root)
    {
        if (!Directory.Exists(root)) return 0;
        int removed = 0;
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*.tmp", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList())
        {
            if (!IsTemp(entry.Name) || IsLiveTemp(entry.Name, entry.LastWriteTimeUtc)) continue;
            try
            {
                if (entry is DirectoryInfo d) d.Delete(recursive: true); else entry.Delete();
                removed++;
            }
            catch (IOException) { }              // gone already, or another process is removing it
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }
}
