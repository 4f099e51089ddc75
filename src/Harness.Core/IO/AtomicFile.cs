namespace Harness.IO;

/// <summary>Atomic file writes: write a temp file in the same folder, flush, then rename over the target.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{TempFiles.Tag}.tmp");
        long written = 0;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                try
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                finally
                {
                    try { written = stream.Length; } catch (IOException) { }
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e) when (DiskSpace.IsDiskFull(e))
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw DiskSpace.Full(path, Math.Max(written, File.Exists(path) ? new FileInfo(path).Length : 0));
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
