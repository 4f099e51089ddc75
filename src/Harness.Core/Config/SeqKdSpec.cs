namespace Harness.Config;

/// <summary>Sequence-level KD (Kim &amp; Rush 2016): students train with plain CE on text the teacher samples.</summary>
public sealed record SeqKdSpec
{
    public long Tokens { get; init; } = 200_000;
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 0.95;
    public int Seed { get; init; } = 0;
}
