namespace Harness.Config;

/// <summary>A training budget: a token count, or a FLOP budget (IsoFLOP design: each size gets the tokens it affords).</summary>
public sealed record BudgetSpec
{
    public string Name { get; init; } = "";
    public long? Tokens { get; init; }
    public double? Flops { get; init; }

    public long TokensFor(double trainFlopsPerToken) => Tokens ?? (long)Math.Max(1, Flops!.Value / trainFlopsPerToken);
}
