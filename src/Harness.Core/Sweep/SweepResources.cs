using Harness.Data;
using Harness.Evaluation;

namespace Harness.Sweep;

/// <summary>What every unit trained by one process shares: prepared once, read by each unit.</summary>
/// <param name="Data">Tokenized splits and tokenizer.</param>
/// <param name="ByteLengths">UTF-8 bytes per token id (bits per byte).</param>
/// <param name="Teacher">The experiment's teacher (<see cref="LoadedTeacher.None"/> when it has none).</param>
/// <param name="Folder">The run's results folder.</param>
/// <param name="Evaluator">Benchmark scoring (null when not configured).</param>
sealed record SweepResources(PreparedData Data, int[] ByteLengths, LoadedTeacher Teacher, RunFolder Folder, UnitEvaluator? Evaluator);

/// <summary>How the process running units was started (in-process `run`, a `run --jobs` worker, a Slurm array task).</summary>
/// <param name="ProcessStart">When this process started (a claim older than its holder's start is stale).</param>
/// <param name="SlurmJobId">The Slurm job, recorded in the heartbeat (null outside Slurm).</param>
/// <param name="InterruptSignal">Names the signal that cancelled the unit (null: "cancel").</param>
sealed record WorkerContext(DateTime ProcessStart, string? SlurmJobId, Func<string>? InterruptSignal);
