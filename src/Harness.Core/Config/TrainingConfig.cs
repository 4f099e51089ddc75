namespace Harness.Config;

/// <summary>Optimisation settings for one training run.  Exactly one of MaxTokens / MaxSteps sets the budget.</summary>
public sealed record TrainingConfig : IValidatable
{
    public int BatchSize { get; init; } = 32;
    /// <summary>Micro-batches per optimiser step; tokens per step = BatchSize · GradAccum · ContextLength.</summary>
    public int GradAccum { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-3;
    public double MinLearningRate { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double GradClip { get; init; } = 1.0;
    public long? MaxTokens { get; init; }
    public int? MaxSteps { get; init; }
    /// <summary>Evaluate every this many optimiser steps (and always at the end).</summary>
    public int EvalInterval { get; init; } = 50;
    /// <summary>Validation tokens per evaluation (windows evenly spaced over the validation stream; 0 = all).</summary>
    public long EvalTokens { get; init; } = 65_536;
    /// <summary>Write a resume checkpoint every this many steps (0 = only at the end).</summary>
    public int CheckpointInterval { get; init; } = 0;
    public int LogInterval { get; init; } = 10;
    public int Seed { get; init; } = 1;
    /// <summary>"cosine" (default when unset) or "wsd" (warmup–stable–decay, Training/LearningRateSchedule).
    /// Nullable so configs that do not set it keep their config hash and unit keys.</summary>
    public string? Schedule { get; init; }
    /// <summary>WSD only: cooldown length as a fraction of each run's steps (default 0.2, Hägele et al. 2024).</summary>
    public double? CooldownFraction { get; init; }

    /// <summary>"fp32" (null: the default) or "bf16-mixed": bf16 forward and backward on a copy of the weights, fp32
    /// master weights, gradients and AdamW state (Training/MixedPrecision, README "Mixed precision").  Nullable so
    /// configs that do not set it keep their config hash and unit keys.</summary>
    public string? Precision { get; init; }

    public const string Fp32Precision = "fp32";
    public const string Bf16MixedPrecision = "bf16-mixed";
    public static readonly string[] Precisions = [Fp32Precision, Bf16MixedPrecision];
    [System.Text.Json.Serialization.JsonIgnore] public bool IsBf16Mixed => Precision == Bf16MixedPrecision;

    public const double DefaultCooldownFraction = 0.2;
    public const string CosineSchedule = "cosine";
    public const string WsdSchedule = "wsd";
    public static readonly string[] Schedules = [CosineSchedule, WsdSchedule];
    [System.Text.Json.Serialization.JsonIgnore] public string ScheduleShape => Schedule ?? CosineSchedule;
    [System.Text.Json.Serialization.JsonIgnore] public double CooldownFractionOrDefault => CooldownFraction ?? DefaultCooldownFraction;

    public IReadOnlyList<string> Validate(string path)
    {
        var p = new List<string>();
        if (BatchSize <= 0) p.Add($"{path}.batch_size: value {BatchSize} must be a positive integer.");
        if (GradAccum <= 0) p.Add($"{path}.grad_accum: value {GradAccum} must be a positive integer.");
        if (!(LearningRate > 0)) p.Add($"{path}.learning_rate: value {LearningRate} must be > 0.");
        if (!(MinLearningRate >= 0) || MinLearningRate > LearningRate) p.Add($"{path}.min_learning_rate: value {MinLearningRate} must be in [0, learning_rate={LearningRate}].");
        if (WarmupSteps < 0) p.Add($"{path}.warmup_steps: value {WarmupSteps} must be ≥ 0.");
        if (WeightDecay < 0) p.Add($"{path}.weight_decay: value {WeightDecay} must be ≥ 0.");
        if (Beta1 is < 0 or >= 1) p.Add($"{path}.beta1: value {Beta1} must be in [0, 1).");
        if (Beta2 is < 0 or >= 1) p.Add($"{path}.beta2: value {Beta2} must be in [0, 1).");
        if (GradClip < 0) p.Add($"{path}.grad_clip: value {GradClip} must be ≥ 0 (0 disables clipping).");
        if (MaxTokens is null && MaxSteps is null) p.Add($"{path}: neither max_tokens nor max_steps is set; set one of them to give the run a budget.");
        if (MaxTokens is not null && MaxSteps is not null) p.Add($"{path}: both max_tokens ({MaxTokens}) and max_steps ({MaxSteps}) are set; keep one.");
        if (MaxTokens is <= 0) p.Add($"{path}.max_tokens: value {MaxTokens} must be positive.");
        if (MaxSteps is <= 0) p.Add($"{path}.max_steps: value {MaxSteps} must be positive.");
        if (EvalInterval <= 0) p.Add($"{path}.eval_interval: value {EvalInterval} must be a positive integer.");
        if (EvalTokens < 0) p.Add($"{path}.eval_tokens: value {EvalTokens} must be ≥ 0 (0 = whole validation split).");
        if (CheckpointInterval < 0) p.Add($"{path}.checkpoint_interval: value {CheckpointInterval} must be ≥ 0.");
        if (Schedule is not null && !Schedules.Contains(Schedule))
            p.Add($"{path}.schedule: value \"{Schedule}\" is not a schedule; valid: {string.Join(", ", Schedules)}.");
        if (CooldownFraction is not null && ScheduleShape != WsdSchedule)
            p.Add($"{path}.cooldown_fraction: is only used with \"schedule\": \"wsd\" (schedule is {ScheduleShape}); remove it or set the schedule to wsd.");
        if (CooldownFraction is not null && !(CooldownFraction > 0 && CooldownFraction < 1))
            p.Add($"{path}.cooldown_fraction: value {CooldownFraction} must be in (0, 1), e.g. 0.2 (20% of each run is cooldown).");
        if (LogInterval <= 0) p.Add($"{path}.log_interval: value {LogInterval} must be a positive integer.");
        if (Precision is not null && !Precisions.Contains(Precision))
            p.Add($"{path}.precision: value \"{Precision}\" is not a precision; valid: {string.Join(", ", Precisions)}.");
        return p;
    }

    /// <summary>
    /// WSD: the problem with a run of <paramref name="steps"/> steps whose cooldown would start before warm-up ends (or at
    /// step 0), or null.  Checked per (budget, student) by the experiment config and the sweep plan.
    /// </summary>
    public string? WsdCooldownProblem(string budget, string student, int steps)
    {
        if (ScheduleShape != WsdSchedule) return null;
        double fraction = CooldownFractionOrDefault;
        int fork = steps - CooldownSteps(steps);
        if (fork >= Math.Max(1, WarmupSteps)) return null;
        return $"$.budgets (\"{budget}\", student \"{student}\"): {steps} step(s) with cooldown_fraction {fraction} start the " +
               $"cooldown at step {fork}, before warm-up ends (warmup_steps {WarmupSteps}); raise the budget, lower training.warmup_steps " +
               "or training.cooldown_fraction, so that steps · (1 − cooldown_fraction) ≥ warmup_steps.";
    }

    /// <summary>WSD cooldown length of a run of <paramref name="totalSteps"/> steps: round(fraction · S) steps, at least 1
    /// (Hägele et al. 2024; the schedule itself is Training/LearningRateSchedule).</summary>
    public int CooldownSteps(int totalSteps) =>
        Math.Clamp((int)Math.Round(CooldownFractionOrDefault * totalSteps, MidpointRounding.AwayFromZero), 1, totalSteps);

    public long TokensPerStep(int contextLength) => (long)BatchSize * GradAccum * contextLength;

    /// <summary>Steps of the run: max_steps, or ⌈max_tokens / tokens per step⌉; refuses a budget beyond 32-bit steps.</summary>
    public int TotalSteps(int contextLength)
    {
        if (MaxSteps is { } steps) return steps;
        long perStep = TokensPerStep(contextLength);
        if (StepsProblem(MaxTokens!.Value, perStep) is { } problem)
            throw new UserInputException($"training budget of {MaxTokens} tokens is too large.", [$"max_tokens {MaxTokens}: {problem}"]);
        return (int)Math.Max(1, (MaxTokens.Value + perStep - 1) / perStep);
    }

    /// <summary>The optimiser-step counter is 32-bit: null when <paramref name="tokens"/> at <paramref name="tokensPerStep"/>
    /// fits in at most <see cref="int.MaxValue"/> steps, else the rule it breaks and the fix.</summary>
    public static string? StepsProblem(long tokens, long tokensPerStep)
    {
        if (tokensPerStep <= 0 || tokens <= 0) return null;
        long steps = tokens / tokensPerStep + (tokens % tokensPerStep == 0 ? 0 : 1);
        return steps <= int.MaxValue ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"gives {steps:N0} optimiser steps at {tokensPerStep:N0} tokens per step (batch_size · grad_accum · context_length), ") + string.Create(System.Globalization.CultureInfo.InvariantCulture,
              $"more than the {int.MaxValue:N0} steps a run can count; lower the budget or raise training.batch_size.");
    }
}
