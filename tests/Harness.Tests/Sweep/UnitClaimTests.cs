using System.Text.Json;
using Harness.Sweep;
using Harness.IO;

namespace Harness.Tests.Sweep;

public class UnitClaimTests
{
    static void WriteClaim(string dir, string key, ClaimInfo info)
    {
        var path = UnitClaim.PathFor(dir, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(info, HarnessJson.Options));
    }

    [Fact]
    public void Claims_are_exclusive_and_dead_stale_or_earlier_failed_claims_are_taken_over()
    {
        var dir = TestSupport.TempDirectory();
        var start = DateTime.UtcNow;
        var now = DateTime.UtcNow;
        using (var first = UnitClaim.TryAcquire(dir, "a", start))
        {
            Assert.NotNull(first);
            var info = UnitClaim.Read(first!.Path)!;
            Assert.Equal(Environment.ProcessId, info.Pid);
            Assert.Equal(TempFiles.Host, info.Host);
        }
        Assert.False(File.Exists(UnitClaim.PathFor(dir, "a")));   // released

        // Same host, live process (PID 1): busy.  Same host, dead PID: taken over.
        WriteClaim(dir, "live", new ClaimInfo(TempFiles.Host, 1, "n1", now, now));
        Assert.Null(UnitClaim.TryAcquire(dir, "live", start));
        WriteClaim(dir, "dead", new ClaimInfo(TempFiles.Host, int.MaxValue - 1, "n2", now, now));
        using (var taken = UnitClaim.TryAcquire(dir, "dead", start)) Assert.NotNull(taken);

        // Another host: busy while its heartbeat is fresh, taken over once it is stale.
        WriteClaim(dir, "fresh", new ClaimInfo("other-host", 5, "n3", now, now));
        Assert.Null(UnitClaim.TryAcquire(dir, "fresh", start));
        WriteClaim(dir, "stale", new ClaimInfo("other-host", 5, "n4", now.AddHours(-1), now - UnitClaim.StaleAfter - TimeSpan.FromSeconds(1)));
        using (var taken = UnitClaim.TryAcquire(dir, "stale", start)) Assert.NotNull(taken);

        // Failed during this run: left alone; failed before this run started: retried.
        WriteClaim(dir, "failed-now", new ClaimInfo("other-host", 5, "n5", now, now, "failed", DateTime.UtcNow.AddSeconds(1)));
        Assert.Null(UnitClaim.TryAcquire(dir, "failed-now", start));
        WriteClaim(dir, "failed-before", new ClaimInfo("other-host", 5, "n6", now, now, "failed", start.AddMinutes(-1)));
        using (var taken = UnitClaim.TryAcquire(dir, "failed-before", start)) Assert.NotNull(taken);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "claims"), "*.tmp"));
    }

    /// <summary>A claim released between another taker's failed create and its look at the file is no error: the taker
    /// tries again (this raced under load: "claims/KEY.json already exists" escaped as an IOException).</summary>
    [Fact]
    public void Claims_released_while_another_taker_looks_are_retried_not_thrown()
    {
        var dir = TestSupport.TempDirectory();
        var start = DateTime.UtcNow;
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        int taken = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 1500; i++)
            {
                try
                {
                    using var claim = UnitClaim.TryAcquire(dir, "contended", start);
                    if (claim is not null) Interlocked.Increment(ref taken);
                }
                catch (Exception e) { errors.Add(e); }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        Assert.True(taken > 0);
    }
}
