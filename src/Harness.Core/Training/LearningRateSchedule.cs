namespace Harness.Training;

/// <summary>
/// Linear warm-up then cosine decay to a floor (Loshchilov &amp; Hutter 2017, "SGDR"; the schedule GPT-3 and Chinchilla use).
/// </summary>
public sealed record LearningRateSchedule(double PeakLr, double MinLr, int WarmupSteps, int TotalSteps)
{
    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return PeakLr * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return MinLr;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return MinLr + 0.5 * (PeakLr - MinLr) * (1 + Math.Cos(Math.PI * progress));
    }
}
