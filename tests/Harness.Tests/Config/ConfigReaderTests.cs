using Harness.Config;

namespace Harness.Tests.Config;

/// <summary>The strict config reader: every problem at once, with JSON path, value and rule.</summary>
public class ConfigReaderTests
{
    [Fact]
    public void Experiment_config_errors_are_all_reported_with_path_value_and_rule()
    {
        const string bad = """
        { "name": "x", "students": { "s": { "preset": "nope" } }, "budgets": [ { "name": "b", "tokens": -5 } ],
          "methods": ["scratch", "magic"], "kd": { "alpha": 2, "divergence": "kl" }, "seeds": [1], "colour": "blue" }
        """;
        // One read reports the unknown key and every semantic problem together (the reader skips unknown keys and
        // still validates the rest), so a user fixes them all in one go.
        var e = Assert.Throws<UserInputException>(() => Harness.Pipelines.ExperimentValidator.Read(bad, "bad.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.colour") && p.Contains("unknown key") && p.Contains("valid keys here"));
        Assert.Contains(e.Problems, p => p.Contains("$.students.s.preset") && p.Contains("nope") && p.Contains("valid"));
        Assert.Contains(e.Problems, p => p.Contains("$.budgets[0].tokens") && p.Contains("-5"));
        Assert.Contains(e.Problems, p => p.Contains("$.methods[1]") && p.Contains("magic"));
        Assert.Contains(e.Problems, p => p.Contains("$.kd.alpha") && p.Contains("2"));
        Assert.Contains(e.Problems, p => p.Contains("$.kd.divergence") && p.Contains("forward-kl"));
        Assert.Contains(e.Problems, p => p.Contains("$.teacher.checkpoint"));
        Assert.All(e.Problems, p => Assert.StartsWith("bad.json: ", p));
        // Without the unknown key the same semantic problems remain, and only the unknown-key one is gone.
        var e2 = Assert.Throws<UserInputException>(() => Harness.Pipelines.ExperimentValidator.Read(bad.Replace(", \"colour\": \"blue\"", ""), "bad.json"));
        Assert.Equal(e.Problems.Where(p => !p.Contains("$.colour")), e2.Problems);
    }

    [Fact]
    public void Train_config_type_errors_are_reported_together()
    {
        const string bad = """{ "name": "t", "model": { "preset": "small", "heads": 3, "d_model": "big" }, "training": { "max_steps": 1.5 }, "output": "m" }""";
        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<TrainRunConfig>(bad, "t.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.model.d_model") && p.Contains("\"big\"") && p.Contains("integer"));
        Assert.Contains(e.Problems, p => p.Contains("$.training.max_steps") && p.Contains("1.5"));
        var e2 = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<TrainRunConfig>(
            """{ "name": "t", "model": { "preset": "small", "heads": 3 }, "training": { "max_steps": 10, "batch_size": -1 }, "output": "m" }""", "t.json"));
        Assert.Contains(e2.Problems, p => p.Contains("$.model.heads") && p.Contains("must divide d_model (128)"));
        Assert.Contains(e2.Problems, p => p.Contains("$.training.batch_size") && p.Contains("-1"));
    }

    [Fact]
    public void Curve_every_must_be_positive()
    {
        var json = new TinyExperiment().Json.Replace("\"seeds\": [1, 2]", "\"seeds\": [1], \"evaluation\": { \"curve_every\": 0 }");
        var error = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(json, "test.json"));
        Assert.Contains("evaluation.curve_every: value 0 must be a positive integer", error.Message);
    }

    [Fact]
    public void A_schema_key_is_accepted_at_the_root_only()
    {
        var ok = JsonConfigReader.Read<TrainRunConfig>("""{ "$schema": "schema/train.schema.json", "name": "x", "output": "o", "model": { "preset": "pico" }, "training": { "max_steps": 1 } }""", "t");
        Assert.Equal("x", ok.Name);
        Assert.Throws<UserInputException>(() => JsonConfigReader.Read<TrainRunConfig>("""{ "name": "x", "output": "o", "model": { "preset": "pico" }, "training": { "max_steps": 1, "$schema": 1 } }""", "t"));
    }
}
