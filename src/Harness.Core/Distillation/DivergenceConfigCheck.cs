using Harness.Config;

namespace Harness.Distillation;

/// <summary>The config's <c>kd.divergence</c> against <see cref="Divergence.Names"/>.</summary>
internal static class DivergenceConfigCheck
{
    public static IEnumerable<string> Validate(ExperimentConfig config, string path)
    {
        if (!Divergence.Names.ContainsKey(config.Kd.Divergence))
            yield return $"{path}.kd.divergence: value \"{config.Kd.Divergence}\" is not a divergence; valid: {string.Join(", ", Divergence.Names.Keys)}.";
    }
}
