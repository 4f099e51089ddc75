namespace Harness.Estimation.Estimands;

/// <summary>
/// The estimands, in the order they are measured and written: (a) frontier, (b) same_size, (c) effective_data.  Adding
/// one: a class implementing <see cref="IMultiplierEstimand"/>, its name in <see cref="Harness.Results.Estimand"/>, and a line here.
/// </summary>
internal static class EstimandRegistry
{
    public static IReadOnlyList<IMultiplierEstimand> All { get; } = [new FrontierEstimand(), new SameSizeEstimand(), new EffectiveDataEstimand()];
}
