using Harness.Results;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.IO;

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
    /// <summary>Internal errors of the last attempt that were retried in-process (run.retries, see UnitRetry).</summary>
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
/// A unit worker's heartbeat: units/KEY/worker.json, rewritten atomically on every progress report (at most every
/// 0.5 s) and every 15 s from a timer, so `harness status` can show host, step, tokens/s, restarts and every attempt.
/// Exclusion is not its job: the worker holds the unit's claim (claims/KEY.json, <see cref="UnitClaim"/>) while it runs.
/// </summary>
public sealed class UnitHeartbeat : IDisposable
{
    public const string FileName = UnitFolderLayout.HeartbeatFile;
    readonly string path;
    readonly Lock gate = new();
    readonly Timer timer;
    WorkerRecord record;
    DateTime lastWrite;
    bool dirty;

    /// <summary>Test seam: a pause per reported step, so a test can signal a unit mid-run (results are unchanged).  Tests
    /// in this process set it directly; a test that starts `harness` processes sets HARNESS_TEST_STEP_DELAY_MS for them.</summary>
    internal static int StepDelayMs { get; set; } =
        int.TryParse(Environment.GetEnvironmentVariable("HARNESS_TEST_STEP_DELAY_MS"), System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : 0;

    UnitHeartbeat(string path, WorkerRecord record)
    {
        this.path = path;
        this.record = record;
        Write();
        timer = new Timer(_ => Update(r => r), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
    }

    public static string PathFor(RunFolder folder, string key) => folder.Layout.Unit(key).Heartbeat;

    public static WorkerRecord? Read(RunFolder folder, string key)
    {
        var p = PathFor(folder, key);
        try { return File.Exists(p) ? JsonSerializer.Deserialize<WorkerRecord>(File.ReadAllText(p), HarnessJson.Options) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>Starts an attempt (the caller holds the unit's claim, so this process is its only writer).</summary>
    public static UnitHeartbeat Start(RunFolder folder, string key, int restartCount, string? slurmJobId)
    {
        var previous = Read(folder, key);
        var now = DateTime.UtcNow;
        var host = Environment.MachineName;
        var attempts = previous?.Attempts.ToList() ?? [];
        attempts.Add($"{now:O} start on {host} pid {Environment.ProcessId}{(slurmJobId is null ? "" : $" job {slurmJobId}")} restart {restartCount}");
        return new UnitHeartbeat(PathFor(folder, key), new WorkerRecord
        {
            State = "running", Host = host, Pid = Environment.ProcessId, SlurmJobId = slurmJobId, RestartCount = restartCount,
            Failures = previous?.Failures ?? 0, LastFailure = previous?.LastFailure, Attempts = attempts, StartedUtc = now, UpdatedUtc = now,
        });
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
        if (StepDelayMs > 0) Thread.Sleep(StepDelayMs);
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
        try { AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, new JsonSerializerOptions(HarnessJson.Options) { WriteIndented = true })); }
        catch (IOException) { /* a heartbeat is advisory; the unit's own files are what count */ }
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

/// <summary>Another live process holds the unit's claim.</summary>
public sealed class UnitBusyException(string message) : Exception(message);
