using Harness.Results;
using System.Text.Json;
using Harness.IO;

namespace Harness.Sweep;

/// <summary>What a claim file says: who works on a unit, since when, and their last sign of life.</summary>
public sealed record ClaimInfo(string Host, int Pid, string Nonce, DateTime StartedUtc, DateTime HeartbeatUtc, string State = "running", DateTime? FinishedUtc = null);

/// <summary>
/// A unit's claim: <c>claims/KEY.json</c> in the results folder, created atomically (O_EXCL), holding host, PID and a
/// heartbeat refreshed every <see cref="HeartbeatInterval"/>.  Concurrent `harness run`s of one config (or Slurm array
/// tasks sharing a folder) each claim a unit before training it, so they split the work.  A claim is taken over when
/// its process is dead (same host, PID gone) or its heartbeat is older than <see cref="StaleAfter"/> (another host),
/// by renaming it aside, which only one taker can do.  A unit that failed keeps a claim with state "failed": processes
/// started before the failure leave it alone; a later run takes it over and retries the unit.
/// </summary>
public sealed class UnitClaim : IDisposable
{
    public static TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);
    public static TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    readonly string path;
    readonly Timer heartbeat;
    ClaimInfo info;
    readonly object gate = new();
    bool released;

    UnitClaim(string path, ClaimInfo info)
    {
        this.path = path;
        this.info = info;
        heartbeat = new Timer(_ => Beat(), null, HeartbeatInterval, HeartbeatInterval);
    }

    public string Path => path;
    public static string PathFor(string runDirectory, string key) => new RunFolderLayout(runDirectory).Claim(key);

    public static ClaimInfo? Read(string path)
    {
        try { return JsonSerializer.Deserialize<ClaimInfo>(File.ReadAllText(path), HarnessJson.Options); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (JsonException) { return null; }   // a torn claim can only come from a dead writer (claims are written by rename)
    }

    /// <summary>Why a claim held by someone else cannot be taken now; null when it is free to take.</summary>
    public static string? HeldBy(ClaimInfo? claim, DateTime processStartUtc)
    {
        if (claim is null) return null;
        if (claim.State == "failed")
            return claim.FinishedUtc >= processStartUtc ? $"failed in process {claim.Pid} on {claim.Host} during this run" : null;
        bool sameHost = claim.Host == TempFiles.Host;
        if (sameHost && claim.Pid == Environment.ProcessId) return null;
        if (sameHost ? !TempFiles.ProcessAlive(claim.Pid) : DateTime.UtcNow - claim.HeartbeatUtc > StaleAfter) return null;
        return $"running in process {claim.Pid} on {claim.Host} (heartbeat {(DateTime.UtcNow - claim.HeartbeatUtc).TotalSeconds:F0} s ago)";
    }

    /// <summary>Claims the unit, taking over a dead or stale claim; null when a live process holds it.</summary>
    public static UnitClaim? TryAcquire(string runDirectory, string key, DateTime processStartUtc)
    {
        var path = PathFor(runDirectory, key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var now = DateTime.UtcNow;
            var mine = new ClaimInfo(TempFiles.Host, Environment.ProcessId, Guid.NewGuid().ToString("N"), now, now);
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    JsonSerializer.Serialize(stream, mine, HarnessJson.Options);
                    stream.Flush(flushToDisk: true);
                }
                return new UnitClaim(path, mine);
            }
            catch (IOException e) when (IsAlreadyExists(e))
            {
                // The holder may release its claim between our CreateNew and this check: then simply try again.
                if (!File.Exists(path)) continue;
                var existing = Read(path);
                if (existing is null && File.Exists(path) && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(5))
                {
                    Thread.Sleep(50);     // being written right now
                    continue;
                }
                if (HeldBy(existing, processStartUtc) is not null) return null;
                // Dead, stale or failed earlier: move it aside.  Only one taker's rename finds the file.
                var aside = $"{path}.{TempFiles.Tag}.tmp";
                try { File.Move(path, aside); }
                catch (FileNotFoundException) { continue; }
                var moved = Read(aside);
                if (existing is not null && moved is not null && moved.Nonce != existing.Nonce)
                {
                    // Someone else took it over between our read and our rename: give theirs back.
                    try { File.Move(aside, path); } catch (IOException) { File.Delete(aside); }
                    return null;
                }
                File.Delete(aside);
            }
        }
        return null;   // contended through every attempt: someone else is on it; the caller tries again later
    }

    /// <summary>CreateNew found the file: EEXIST (17) on Unix, ERROR_FILE_EXISTS / ERROR_ALREADY_EXISTS on Windows.
    /// Any other I/O error (disk full, permissions) is not contention and propagates.</summary>
    static bool IsAlreadyExists(IOException e) => e.HResult is 17 or unchecked((int)0x80070050) or unchecked((int)0x800700B7);

    /// <summary>Deletes a claim a killed process left on a unit that has finished since.</summary>
    public static void RemoveIfDead(string runDirectory, string key, DateTime processStartUtc)
    {
        var path = PathFor(runDirectory, key);
        if (!File.Exists(path)) return;
        var claim = Read(path);
        if (claim is not null && claim.State != "failed" && HeldBy(claim, processStartUtc) is null)
            try { File.Delete(path); } catch (IOException) { }
    }

    void Beat()
    {
        lock (gate)
        {
            if (released) return;
            try
            {
                var onDisk = Read(path);
                if (onDisk is not null && onDisk.Nonce != info.Nonce) return;   // taken over as stale: leave theirs alone
                info = info with { HeartbeatUtc = DateTime.UtcNow };
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(info, HarnessJson.Options));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or UserInputException) { }   // the next beat tries again
        }
    }

    /// <summary>Marks the unit failed (kept so other processes of this run do not retry it) and releases the claim.</summary>
    public void ReleaseFailed()
    {
        lock (gate)
        {
            released = true;
            heartbeat.Dispose();
            info = info with { State = "failed", FinishedUtc = DateTime.UtcNow, HeartbeatUtc = DateTime.UtcNow };
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(info, HarnessJson.Options));
        }
    }

    /// <summary>Releases the claim: the unit is finished (its row.json exists) or was interrupted.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (released) return;
            released = true;
            heartbeat.Dispose();
            var onDisk = Read(path);
            if (onDisk is null || onDisk.Nonce == info.Nonce) File.Delete(path);
        }
    }
}
