namespace Harness.Config;

/// <summary>How documents are divided; fractions are of the document count, not of bytes.</summary>
public sealed record SplitSpec(double ValidationFraction = 0.05, double TestFraction = 0.05, int Seed = 0);
