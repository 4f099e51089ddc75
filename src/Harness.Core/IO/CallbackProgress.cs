namespace Harness.IO;

/// <summary>
/// IProgress that calls back synchronously on the reporting thread.  System.Progress posts to the thread pool, which
/// reorders reports and lets them arrive after the work has finished.
/// </summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
