using System.Diagnostics;
using Harness.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using Harness.Config;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with warm-up + cosine decay or warmup–stable–decay (see <see cref="LearningRateSchedule"/>), global-norm clipping, gradient accumulation and
/// periodic held-out evaluation.  Every step runs inside its own dispose scope so native memory stays flat.
/// Resumable: a checkpoint holds weights, optimiser moments and the step; batches are a pure function of
/// (seed, micro-batch index), so a resumed run continues exactly where the interrupted one was.
/// </summary>
public sealed class Trainer
{
    readonly CausalLm model;
    readonly TrainingConfig config;
    readonly BatchSampler sampler;
    readonly LossEvaluator evaluator;
    readonly ITrainingObjective objective;
    readonly Device device;
    readonly LearningRateSchedule? scheduleOverride;

    /// <param name="schedule">Learning-rate schedule; null = the one <paramref name="config"/> describes for its budget
    /// (<see cref="LearningRateSchedule.For"/>).  A WSD sweep passes the constant trunk schedule here.</param>
    public Trainer(CausalLm model, TrainingConfig config, BatchSampler sampler, LossEvaluator evaluator, ITrainingObjective objective, Device device,
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

    public int TotalSteps => config.TotalSteps(model.ContextLength);
    public long TokensPerStep => config.TokensPerStep(model.ContextLength);

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
        // bf16-mixed: forward and backward on a bf16 copy, fp32 master weights, gradients and moments (MixedPrecision).
        var mixed = config.IsBf16Mixed ? new MixedPrecision(model, device) : null;
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
                mixed?.LoadWeights(training: true);
                Tensor stepLoss = zeros(1, device: device);
                var stepCe = zeros(1, device: device);
                for (int micro = 0; micro < config.GradAccum; micro++)
                {
                    long index = (long)step * config.GradAccum + micro;
                    var starts = sampler.Starts(index);
                    var (x, y) = sampler.Batch(starts, device);
                    var logits = mixed is null ? model.call(x) : mixed.Model.call(x).to_type(ScalarType.Float32); // (B, T, V), float32
                    var loss = objective.Loss(logits, new TrainingBatch(x, y, starts, index)).DividedBy(config.GradAccum);
                    if (objective.LastCrossEntropy is { } ce)
                    {
                        stepCe.add_(ce.detach(), invAccum);
                        hasCe = true;
                    }
                    loss.backward();
                    mixed?.AccumulateGradients();
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
            mixed?.Dispose();
        }
    }

    internal SafeAdamW BuildOptimizer() => BuildOptimizer(model, config);

    /// <summary>AdamW with decoupled weight decay in two groups: decay on every parameter with ≥ 2 dimensions (wte,
    /// attention and MLP projections, an untied head) except the position table wpe; none on wpe, biases and LayerNorm
    /// parameters.  (nanoGPT decays wpe too; minGPT decays neither embedding.)</summary>
    internal static SafeAdamW BuildOptimizer(CausalLm model, TrainingConfig config)
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
