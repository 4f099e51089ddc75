using Harness.Tests.Cli;

namespace Harness.Tests.Config;

public class ConfigSchemaTests
{
    [Fact]
    public void Shipped_schemas_match_the_config_records_and_every_shipped_config_references_one()
    {
        var root = CliTests.RepositoryRoot();
        foreach (var (file, type) in Harness.Config.ConfigSchema.Shipped)
            Assert.True(File.ReadAllText(Path.Combine(root, "experiments", "schema", file)) == Harness.Config.ConfigSchema.Generate(type),
                $"experiments/schema/{file} is stale: regenerate with `harness schema --out experiments/schema`.");
        foreach (var config in Directory.GetFiles(Path.Combine(root, "experiments"), "*.json"))
            Assert.Matches("\"\\$schema\": \"schema/(experiment|train)\\.schema\\.json\"", File.ReadAllText(config));
        var experiment = System.Text.Json.JsonDocument.Parse(Harness.Config.ConfigSchema.Generate(typeof(Harness.Config.ExperimentConfig))).RootElement;
        Assert.False(experiment.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal("number", experiment.GetProperty("properties").GetProperty("training").GetProperty("properties").GetProperty("learning_rate").GetProperty("type").GetString());
        Assert.True(experiment.GetProperty("properties").GetProperty("tracking").GetProperty("properties").TryGetProperty("tensorboard", out _));
    }
}
