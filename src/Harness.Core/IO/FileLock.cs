namespace Harness.IO;

/// <summary>
/// An exclusive advisory lock on a lock file (flock on Unix via FileShare.None, released by the kernel when the process
/// dies, even by SIGKILL), held for a short critical section such as rewriting the result tables.
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly FileStream stream;

    FileLock(FileStream stream) => this.stream = stream;

    public static FileLock Acquire(string path, TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        for (int wait = 5; ; wait = Math.Min(wait * 2, 200))
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (!DiskSpace.IsDiskFull(e) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(wait);
            }
        }
    }

    public void Dispose() => stream.Dispose();
}
