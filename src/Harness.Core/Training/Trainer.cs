using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using Harness.Config;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>Live numbers for a progress display.</summary>
/// <param name="Loss">The training objective (for KD: α·CE + (1−α)·τ²·D), mean over the log interval.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, long Tokens, double Loss, double TokensPerSecond, double LearningRate)
{
    /// <summary>The next-token cross-entropy part of the objective over the log interval (equals Loss for scratch; NaN when the objective has none).</summary>
    public double CrossEntropy { get; init; } = double.NaN;
    /// <summary>The latest held-out validation loss (nats/token) so far; NaN before the first evaluation.</summary>
    public double ValLoss { get; init; } = double.NaN;
    /// <summary>Step this run resumed from (0 when it started fresh).</summary>
    public int ResumedFromStep { get; init; }
}

/// <summary>One held-out evaluation along a run: a capability-vs-compute point.</summary>
public sealed record EvalPoint(int Step, long Tokens, double ValLoss, [property: JsonPropertyName("val_bpb")] double ValBitsPerByte, bool IsFinal);

public sealed record TrainingResult(int Steps, long Tokens, IReadOnlyList<EvalPoint> Curve, double WallSeconds, double TokensPerSecond, bool Resumed)
{
    /// <summary>The step this run resumed from (0 for a fresh start).</summary>
    public int StartStep { get; init; }
}

/// <summary>Training stopped at a step boundary because cancellation was requested; <see cref="Step"/> steps are checkpointed.</summary>
public sealed class TrainingInterruptedException(int step, CancellationToken token)
    : OperationCanceledException($"training interrupted at step {step}; its checkpoint is written", token)
{
    public int Step { get; } = step;
}

/// <summary>A run produced a non-finite loss; the sweep records the unit as failed and continues.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with warm-up + cosine decay or warmup–stable–decay (see <see cref="LearningRateSchedule"/>), global-norm clipping, gradient accumulation and
/// periodic held-out evaluation.  Every step runs inside its own dispose scope so native memory stays flat.
/// Resumable: a checkpoint holds weights, optimiser moments and the step; batches are a pure function of
/// (seed, micro-batch index), so a resumed run continues exactly where the interrupted one was.
/// </summary>
public sealed class Trainer
{
    readonly Gpt model;
    readonly TrainingConfig config;
    readonly BatchSampler sampler;
    readonly LossEvaluator evaluator;
    readonly ITrainingObjective objective;
    readonly Device device;
    readonly LearningRateSchedule? scheduleOverride;

    /// <param name="schedule">Learning-rate schedule; null = the one <paramref name="config"/> describes for its budget
    /// (<see cref="LearningRateSchedule.For"/>).  A WSD sweep passes the constant trunk schedule here.</param>
    public Trainer(Gpt model, TrainingConfig config, BatchSampler sampler, LossEvaluator evaluator, ITrainingObjective objective, Device device,
                   LearningRateSchedule? schedule = null)
    {
        scheduleOverride = schedule;
        this.model = model;
        this.config = config;
        this.sampler = sampler;
        this.evaluator = evaluator;
        this.objective = objective;
        this.device = device;
    }

    public int TotalSteps => config.TotalSteps(model.Config.ContextLength);
    public long TokensPerStep => config.TokensPerStep(model.Config.ContextLength);

    /// <summary>Trains to the budget.  With <paramref name="resumeDirectory"/>, resumes from and writes checkpoints there.</summary>
    /// <param name="startFrom">A checkpoint folder (written through <paramref name="snapshots"/> by another run) to start
    /// from when <paramref name="resumeDirectory"/> holds no checkpoint: weights, optimiser moments and step are taken
    /// from it, its curve and wall time are not (they belong to the run that wrote it).  A WSD cooldown branch starts
    /// from its trunk's fork checkpoint this way; since batches are a function of (seed, micro-batch index), it then
    /// continues the trunk's data order exactly.</param>
    /// <param name="extras">Caller state saved inside every checkpoint and restored on resume (e.g. benchmark curve rows).</param>
    /// <param name="snapshots">Step → folder: after that many steps, write a checkpoint there (the forks of a WSD trunk).</param>
    public TrainingResult Run(string? resumeDirectory = null, IProgress<TrainingProgress>? progress = null,
                              Action<EvalPoint>? onEval = null, CancellationToken cancellation = default,
                              string? startFrom = null, IReadOnlyDictionary<int, string>? snapshots = null, IResumeExtras? extras = null)
    {
        int totalSteps = TotalSteps;
        var schedule = scheduleOverride ?? LearningRateSchedule.For(config, totalSteps);
        var optimizer = BuildOptimizer();
        var curve = new List<EvalPoint>();
        int startStep = 0;
        double priorWall = 0;
        bool resumed = false;
        Tensor? runningLoss = null;
        try
        {
        if (resumeDirectory is not null && ResumeState.TryLoad(resumeDirectory, model, optimizer, out var state, extras))
        {
            startStep = state.Step;
            curve.AddRange(state.Curve);
            priorWall = state.WallSeconds;
            resumed = true;
        }
        else if (startFrom is not null)
        {
            if (!ResumeState.TryLoad(startFrom, model, optimizer, out var fork))
                throw new InvalidOperationException($"{startFrom}: no checkpoint to start from (resume.json missing).");
            if (fork.Step >= totalSteps)
                throw new InvalidOperationException($"{startFrom}: checkpoint at step {fork.Step} is not before this run's last step {totalSteps}.");
            startStep = fork.Step;
        }

        model.train();
        var clock = Stopwatch.StartNew();
        var windowClock = Stopwatch.StartNew();
        long windowTokens = 0;
        int runningCount = 0;
        // Cross-entropy part of the objective, summed over the log interval on device (Scalars kept alive: see SafeOps).
        using var invAccum = (1.0 / config.GradAccum).ToScalar();
        using var one = 1.0.ToScalar();
        using var runningCe = zeros(1, device: device);
        bool hasCe = false;
        double lastVal = curve.Count > 0 ? curve[^1].ValLoss : double.NaN;
        double lastLoss = double.NaN;
        for (int step = startStep; step < totalSteps; step++)
        {
            if (cancellation.IsCancellationRequested)
            {
                // A step boundary: checkpoint here (preemption, SIGUSR1/SIGTERM) so a resume loses no finished step.
                if (resumeDirectory is not null && step > startStep)
                    ResumeState.Save(resumeDirectory, model, optimizer, new ResumeState(step, curve.ToList(), priorWall + clock.Elapsed.TotalSeconds), extras);
                throw new TrainingInterruptedException(step, cancellation);
            }
            FaultInjection.At(FaultInjection.Points.TrainStep);
            double lr = schedule.At(step);
            optimizer.LearningRate = lr;
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                Tensor stepLoss = zeros(1, device: device);
                var stepCe = zeros(1, device: device);
                for (int micro = 0; micro < config.GradAccum; micro++)
                {
                    long index = (long)step * config.GradAccum + micro;
                    var starts = sampler.Starts(index);
                    var (x, y) = sampler.Batch(starts, device);
                    var logits = model.call(x);                                                   // (B, T, V)
                    var loss = objective.Loss(logits, new TrainingBatch(x, y, starts, index)).DividedBy(config.GradAccum);
                    if (objective.LastCrossEntropy is { } ce)
                    {
                        stepCe.add_(ce.detach(), invAccum);
                        hasCe = true;
                    }
                    loss.backward();
                    stepLoss = stepLoss.Plus(loss.detach());
                }
                if (config.GradClip > 0)
                    nn.utils.clip_grad_norm_(model.parameters(), config.GradClip);
                optimizer.Step();
                // Accumulate on device; one host sync per log interval instead of one per step.
                var kept = runningLoss is null ? stepLoss : runningLoss.Plus(stepLoss);
                runningLoss?.Dispose();
                runningLoss = kept.MoveToOuterDisposeScope();
                runningCe.add_(stepCe, one);
                runningCount++;
            }
            windowTokens += TokensPerStep;
            bool last = step == totalSteps - 1;
            if ((step + 1) % config.LogInterval == 0 || last)
            {
                lastLoss = runningLoss!.item<float>() / runningCount;
                int logCount = runningCount;
                runningLoss.Dispose();
                runningLoss = null;
                runningCount = 0;
                if (!double.IsFinite(lastLoss))
                    throw new TrainingDivergedException($"training loss became {lastLoss} at step {step + 1} (lr {lr:G3}); lower learning_rate or raise warmup_steps.");
                double ceMean = hasCe ? runningCe.item<float>() / logCount : double.NaN;
                runningCe.zero_();
                double rate = windowTokens / Math.Max(1e-9, windowClock.Elapsed.TotalSeconds);
                progress?.Report(new TrainingProgress(step + 1, totalSteps, (step + 1) * TokensPerStep, lastLoss, rate, lr)
                {
                    CrossEntropy = ceMean, ValLoss = lastVal, ResumedFromStep = startStep,
                });
                windowClock.Restart();
                windowTokens = 0;
            }
            if ((step + 1) % config.EvalInterval == 0 || last)
            {
                var held = evaluator.Evaluate(model);
                var point = new EvalPoint(step + 1, (step + 1) * TokensPerStep, held.NatsPerToken, held.BitsPerByte, last);
                lastVal = held.NatsPerToken;
                curve.Add(point);
                onEval?.Invoke(point);
                if (!double.IsFinite(held.NatsPerToken))
                    throw new TrainingDivergedException($"validation loss became {held.NatsPerToken} at step {step + 1}.");
            }
            if (resumeDirectory is not null && config.CheckpointInterval > 0 && (step + 1) % config.CheckpointInterval == 0 && !last)
                ResumeState.Save(resumeDirectory, model, optimizer, new ResumeState(step + 1, curve.ToList(), priorWall + clock.Elapsed.TotalSeconds), extras);
            if (snapshots is not null && snapshots.TryGetValue(step + 1, out var snapshotDirectory))
                ResumeState.Save(snapshotDirectory, model, optimizer, new ResumeState(step + 1, curve.ToList(), priorWall + clock.Elapsed.TotalSeconds));
        }
        double wall = priorWall + clock.Elapsed.TotalSeconds;
        long tokens = totalSteps * TokensPerStep;
        return new TrainingResult(totalSteps, tokens, curve, wall, (totalSteps - startStep) * TokensPerStep / Math.Max(1e-9, clock.Elapsed.TotalSeconds), resumed) { StartStep = startStep };
        }
        finally
        {
            // Divergence, cancellation and internal errors are normal exits of a unit: release native state on every path.
            runningLoss?.Dispose();
            optimizer.Dispose();
        }
    }

    internal SafeAdamW BuildOptimizer() => BuildOptimizer(model, config);

    /// <summary>AdamW with decoupled weight decay in two groups: decay on every parameter with ≥ 2 dimensions (wte,
    /// attention and MLP projections, an untied head) except the position table wpe; none on wpe, biases and LayerNorm
    /// parameters.  (nanoGPT decays wpe too; minGPT decays neither embedding.)</summary>
    internal static SafeAdamW BuildOptimizer(Gpt model, TrainingConfig config)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            if (p.dim() >= 2 && !name.StartsWith("wpe", StringComparison.Ordinal)) decay.Add((name, p)); else noDecay.Add((name, p));
        }
        return new SafeAdamW([new(decay, config.WeightDecay), new(noDecay, 0)], config.LearningRate, config.Beta1, config.Beta2, 1e-8);
    }
}

/// <summary>Caller state that travels inside a checkpoint (written before the checkpoint is committed).</summary>
public interface IResumeExtras
{
    void Write(string checkpointFolder);
    void Read(string checkpointFolder);
}

/// <summary>
/// What a resumed run needs besides weights and optimiser moments.  Each checkpoint is one folder
/// (<c>resume/step-NNNNNNNN/</c>) written completely under a temporary name, renamed into place, then committed by
/// atomically replacing <c>resume/current</c> (the name of the folder): a kill or a full disk at any moment leaves
/// either the previous checkpoint or the new one, never a mix.  resume.json also records the SHA-256 of the weight and
/// optimiser files, and a set whose hashes do not match is refused (the unit restarts from step 0).
/// </summary>
public sealed record ResumeState(int Step, List<EvalPoint> Curve, double WallSeconds)
{
    const string StateFile = "resume.json";
    const string CurrentFile = "current";
    const string ModelFile = "resume-model.safetensors";
    /// <summary>SafeAdamW moments and step counts (safetensors keyed by parameter name).</summary>
    const string OptimizerFile = "resume-optimizer.safetensors";
    /// <summary>snake_case keys like every other file the harness writes.</summary>
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The step a saved resume state would continue from, or null when there is none (or it is unreadable).</summary>
    public static int? SavedStep(string directory)
    {
        var current = Path.Combine(directory, CurrentFile);
        if (!File.Exists(current)) return null;
        var statePath = Path.Combine(directory, File.ReadAllText(current).Trim(), StateFile);
        if (!File.Exists(statePath)) return null;
        try { return JsonSerializer.Deserialize<Stamp>(File.ReadAllText(statePath), Json)?.Step; }
        catch (JsonException) { return null; }
    }

    sealed record Stamp(int Step, List<EvalPoint> Curve, double WallSeconds, string ModelSha256, string OptimizerSha256);

    public static void Save(string directory, Gpt model, SafeAdamW optimizer, ResumeState state, IResumeExtras? extras = null)
    {
        Directory.CreateDirectory(directory);
        var name = $"step-{state.Step:D8}";
        // Weights (4 B/param) + AdamW moments (8 B/param) + framing: refuse up front, naming the checkpoint, rather than
        // fail half-way (the previous checkpoint stays valid either way).
        long parameters = model.parameters().Sum(p => p.numel());
        DiskSpace.Require(Path.Combine(directory, name), 12 * parameters + (1 << 16), $"the checkpoint {Path.Combine(directory, name)} ({parameters:N0} parameters)");
        var temp = Path.Combine(directory, $".{name}.{TempFiles.Tag}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            AtomicFile.Write(Path.Combine(temp, ModelFile), s => model.save_safetensors(s, leaveOpen: true));
            FaultInjection.At(FaultInjection.Points.CheckpointBetweenFiles);
            AtomicFile.Write(Path.Combine(temp, OptimizerFile), optimizer.Save);
            extras?.Write(temp);
            var stamp = new Stamp(state.Step, state.Curve, state.WallSeconds, Sha256(Path.Combine(temp, ModelFile)), Sha256(Path.Combine(temp, OptimizerFile)));
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(stamp, Json));
            var final = Path.Combine(directory, name);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);   // an uncommitted folder of an earlier attempt
            Directory.Move(temp, final);
            AtomicFile.WriteAllText(Path.Combine(directory, CurrentFile), name);       // the commit
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        FaultInjection.At(FaultInjection.Points.CheckpointSaved);
        foreach (var old in Directory.GetDirectories(directory).Where(d => Path.GetFileName(d) != name && !TempFiles.IsLiveTemp(Path.GetFileName(d))))
            Directory.Delete(old, recursive: true);
    }

    public static bool TryLoad(string directory, Gpt model, SafeAdamW optimizer, out ResumeState state, IResumeExtras? extras = null)
    {
        state = new ResumeState(0, [], 0);
        var current = Path.Combine(directory, CurrentFile);
        if (!File.Exists(current)) return false;
        var folder = Path.Combine(directory, File.ReadAllText(current).Trim());
        var statePath = Path.Combine(folder, StateFile);
        if (!File.Exists(statePath)) return false;
        var stamp = JsonSerializer.Deserialize<Stamp>(File.ReadAllText(statePath), Json)!;
        if (stamp.ModelSha256 != Sha256(Path.Combine(folder, ModelFile)) || stamp.OptimizerSha256 != Sha256(Path.Combine(folder, OptimizerFile)))
            return false;   // not the set resume.json was written for: never train from it
        model.load_safetensors(Path.Combine(folder, ModelFile));
        optimizer.Load(Path.Combine(folder, OptimizerFile));
        extras?.Read(folder);
        state = new ResumeState(stamp.Step, stamp.Curve, stamp.WallSeconds);
        return true;
    }

    /// <summary>Removes the whole resume folder (a finished unit needs none).</summary>
    public static void Clear(string directory)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    static string Sha256(string path)
    {
        if (!File.Exists(path)) return "missing";
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
