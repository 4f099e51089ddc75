using Harness.Config;

namespace Harness.Distillation.Methods;

/// <summary>The config's <c>methods</c> against <see cref="MethodRegistry"/> (unknown names list the registered ones).</summary>
internal static class MethodConfigCheck
{
    public static IEnumerable<string> Validate(ExperimentConfig config, string path) =>
        MethodRegistry.Validate(config.Methods, config.Teacher.Checkpoint, path);
}
