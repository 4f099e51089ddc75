using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Config;

namespace Harness.Sweep.Execution;

/// <summary>What units/KEY/worker.json says about the process working on (or last working on) a unit.</summary>
public sealed record WorkerRecord
{
    /// <summary>running | preempted (checkpointed, waiting for requeue) | retrying (an attempt failed) | failed | done.</summary>
    [JsonPropertyName("state")] public string State { get; init; } = "running";
    [JsonPropertyName("host")] public string Host { get; init; } = "";
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("slurm_job_id")] public string? SlurmJobId { get; init; }
    [JsonPropertyName("restart_count")] public int RestartCount { get; init; }
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("total_steps")] public int TotalSteps { get; init; }
    [JsonPropertyName("tokens_per_second")] public double TokensPerSecond { get; init; }
    /// <summary>The step the latest attempt resumed from (0 = fresh start); one entry per attempt in <see cref="Attempts"/>.</summary>
    [JsonPropertyName("resumed_from_step")] public int ResumedFromStep { get; init; }
    /// <summary>The signal that interrupted the last attempt (SIGUSR1, SIGTERM, SIGINT) and the step checkpointed then.</summary>
    [JsonPropertyName("interrupt_signal")] public string? InterruptSignal { get; init; }
    [JsonPropertyName("checkpoint_step")] public int? CheckpointStep { get; init; }
    /// <summary>Attempts that ended in an internal error (a unit is marked failed after <see cref="UnitHeartbeat.MaxFailures"/>).</summary>
    [JsonPropertyName("failures")] public int Failures { get; init; }
    [JsonPropertyName("last_failure")] public string? LastFailure { get; init; }
    [JsonPropertyName("attempts")] public List<string> Attempts { get; init; } = [];
    [JsonPropertyName("started_utc")] public DateTime StartedUtc { get; init; }
    [JsonPropertyName("updated_utc")] public DateTime UpdatedUtc { get; init; }

    /// <summary>A running record not refreshed for this long belongs to a dead process.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(90);
    public bool IsLive(DateTime nowUtc) => State == "running" && nowUtc - UpdatedUtc < StaleAfter;
}

/// <summary>
/// A unit worker's heartbeat: units/KEY/worker.json, rewritten atomically on every progress report and every 15 s
/// from a timer, so `harness status` can show host, step and tokens/s and tell a live worker from a dead one.
/// <para>Minimal stand-in for the atomic unit claims of the reliability issue (branch `robust`): the one writer per
/// unit is guaranteed here by the executor (one array task or one local worker per unit index) plus a check that no
/// other live worker holds the unit.  Replace the check with the claim file when it lands.</para>
/// </summary>
public sealed class UnitHeartbeat : IDisposable
{
    public const string FileName = "worker.json";
    public const int MaxFailures = 3;
    readonly string path;
    readonly Lock gate = new();
    readonly Timer timer;
    readonly int stepDelayMs;
    WorkerRecord record;
    DateTime lastWrite;
    bool dirty;

    UnitHeartbeat(string path, WorkerRecord record, int stepDelayMs)
    {
        this.path = path;
        this.record = record;
        this.stepDelayMs = stepDelayMs;
        Write();
        timer = new Timer(_ => Update(r => r), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
    }

    public static string PathFor(RunFolder folder, string key) => Path.Combine(folder.UnitDirectory(key), FileName);

    public static WorkerRecord? Read(RunFolder folder, string key)
    {
        var p = PathFor(folder, key);
        try { return File.Exists(p) ? JsonSerializer.Deserialize<WorkerRecord>(File.ReadAllText(p), JsonConfigReader.Options) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>Starts an attempt; refuses when another live worker (another host, or a live PID here) holds the unit.</summary>
    public static UnitHeartbeat Start(RunFolder folder, string key, int restartCount, string? slurmJobId, int stepDelayMs = 0)
    {
        var previous = Read(folder, key);
        var now = DateTime.UtcNow;
        var host = Environment.MachineName;
        if (previous is not null && previous.IsLive(now) && !(previous.Host == host && (previous.Pid == Environment.ProcessId || !ProcessAlive(previous.Pid))))
            throw new UnitBusyException($"unit {key} is being trained by pid {previous.Pid} on {previous.Host} (heartbeat {(now - previous.UpdatedUtc).TotalSeconds:F0} s ago); not starting a second writer.");
        var attempts = previous?.Attempts.ToList() ?? [];
        attempts.Add($"{now:O} start on {host} pid {Environment.ProcessId}{(slurmJobId is null ? "" : $" job {slurmJobId}")} restart {restartCount}");
        return new UnitHeartbeat(PathFor(folder, key), new WorkerRecord
        {
            State = "running", Host = host, Pid = Environment.ProcessId, SlurmJobId = slurmJobId, RestartCount = restartCount,
            Failures = previous?.Failures ?? 0, LastFailure = previous?.LastFailure, Attempts = attempts, StartedUtc = now, UpdatedUtc = now,
        }, stepDelayMs);
    }

    public WorkerRecord Current { get { lock (gate) return record; } }

    public void Progress(int step, int totalSteps, double tokensPerSecond, int? resumedFrom = null)
    {
        bool write;
        lock (gate)
        {
            record = record with { Step = step, TotalSteps = totalSteps, TokensPerSecond = tokensPerSecond, ResumedFromStep = resumedFrom ?? record.ResumedFromStep };
            write = DateTime.UtcNow - lastWrite > TimeSpan.FromMilliseconds(500) || step == totalSteps;
            dirty = !write;
        }
        if (write) Update(r => r);
        // Test hook (HARNESS_TEST_STEP_DELAY_MS): slows training so a test can signal a unit mid-run; results are unchanged.
        if (stepDelayMs > 0) Thread.Sleep(stepDelayMs);
    }

    public void Resumed(int fromStep) => Update(r => r with { ResumedFromStep = fromStep, Attempts = [.. r.Attempts, $"{DateTime.UtcNow:O} resumed from step {fromStep}"] });

    public void Finish(string state, string? note = null, Func<WorkerRecord, WorkerRecord>? change = null)
    {
        timer.Dispose();
        Update(r =>
        {
            var next = r with { State = state, Attempts = note is null ? r.Attempts : [.. r.Attempts, $"{DateTime.UtcNow:O} {note}"] };
            return change is null ? next : change(next);
        });
    }

    void Update(Func<WorkerRecord, WorkerRecord> change)
    {
        lock (gate)
        {
            record = change(record) with { UpdatedUtc = DateTime.UtcNow };
            Write();
        }
    }

    void Write()
    {
        lastWrite = DateTime.UtcNow;
        dirty = false;
        try { AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, new JsonSerializerOptions(JsonConfigReader.Options) { WriteIndented = true })); }
        catch (IOException) { /* a heartbeat is advisory; the unit's own files are what count */ }
    }

    static bool ProcessAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Stops the timer and writes a progress report the throttle held back.</summary>
    public void Dispose()
    {
        timer.Dispose();
        bool pending;
        lock (gate) pending = dirty;
        if (pending) Update(r => r);
    }
}

public sealed class UnitBusyException(string message) : Exception(message);
