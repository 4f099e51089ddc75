using Harness.Config;

namespace Harness.Training;

/// <summary>
/// Learning-rate schedules, both with the same linear warm-up (step s &lt; W: η = η_max·(s+1)/W):
/// <list type="bullet">
/// <item><c>cosine</c>: cosine decay from η_max to η_min over the rest of the run (Loshchilov &amp; Hutter 2017, "SGDR";
/// the schedule GPT-3 and Chinchilla use).</item>
/// <item><c>wsd</c>: warmup–stable–decay (Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed
/// Training Durations"): constant η_max until the cooldown starts at step S − C, then the "1−sqrt" cooldown
/// η = η_min + (η_max − η_min)·(1 − sqrt((s − (S − C)) / C)), as in the paper's reference code
/// (epfml/schedules-and-scaling): η_max at the first cooldown step, η_min from step S on.  With C = 0 the schedule is
/// constant after warm-up: the shared trunk of a WSD sweep.</item>
/// </list>
/// </summary>
public sealed record LearningRateSchedule(double PeakLr, double MinLr, int WarmupSteps, int TotalSteps)
{
    public const string Cosine = TrainingConfig.CosineSchedule;
    public const string Wsd = TrainingConfig.WsdSchedule;

    /// <summary><see cref="Cosine"/> or <see cref="Wsd"/>.</summary>
    public string Shape { get; init; } = Cosine;
    /// <summary>WSD only: length C of the cooldown at the end of the run (0 = no cooldown: constant after warm-up).</summary>
    public int CooldownSteps { get; init; }

    /// <summary>The schedule a run of <paramref name="totalSteps"/> steps with these settings follows.</summary>
    public static LearningRateSchedule For(TrainingConfig config, int totalSteps) =>
        new(config.LearningRate, config.MinLearningRate, config.WarmupSteps, totalSteps)
        {
            Shape = config.ScheduleShape,
            CooldownSteps = config.ScheduleShape == Wsd ? config.CooldownSteps(totalSteps) : 0,
        };

    /// <summary>The constant-after-warm-up trunk of WSD runs: identical to every WSD run's schedule before its cooldown.</summary>
    public static LearningRateSchedule Trunk(TrainingConfig config, int trunkSteps) =>
        new(config.LearningRate, config.MinLearningRate, config.WarmupSteps, trunkSteps) { Shape = Wsd, CooldownSteps = 0 };

    /// <summary>First step of the cooldown (S − C): where a WSD run leaves the shared constant-LR trunk.</summary>
    public int CooldownStart => TotalSteps - CooldownSteps;

    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return PeakLr * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return MinLr;
        if (Shape == Wsd)
        {
            if (step < CooldownStart) return PeakLr;
            double into = (double)(step - CooldownStart) / CooldownSteps;
            return PeakLr - (PeakLr - MinLr) * Math.Sqrt(into);   // = η_min + (η_max − η_min)(1 − sqrt(·)), exact η_max at the start
        }
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return MinLr + 0.5 * (PeakLr - MinLr) * (1 + Math.Cos(Math.PI * progress));
    }
}
