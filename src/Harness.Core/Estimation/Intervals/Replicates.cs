namespace Harness.Estimation.Intervals;

/// <summary>
/// Bootstrap replicates of every ln M of a comparison (NaN where a refit failed), how they were made
/// (<see cref="ClusterSeedT"/> or <see cref="ParametricResidual"/>: the multipliers.csv <c>interval</c> column), the number
/// of seed clusters G and of replicates.
/// </summary>
internal sealed record Replicates(Dictionary<string, double[]> Values, string Interval, int Clusters, int Count)
{
    public const string ClusterSeedT = "cluster_seed_t";
    public const string ParametricResidual = "parametric_residual";
}
