using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Tests.Cli;
using Harness.Config;

namespace Harness.Tests.Config;

/// <summary>
/// Fuzz-style cases of the config reader (issue 24, points 2 and 4): duplicate keys, huge and non-integral numbers, and
/// every name that becomes part of a path with '/', '..', an absolute path, an empty string or a control character.
/// Each must be a <see cref="UserInputException"/> naming the field and the rule broken (exit 2 from the CLI), never an
/// internal error.
/// </summary>
public class ConfigFuzzTests
{
    static string Quickstart => File.ReadAllText(Path.Combine(CliTests.RepositoryRoot(), "experiments", "quickstart.json"));

    static JsonObject Base() => JsonNode.Parse(Quickstart, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();

    static UserInputException Refused(string json)
    {
        // The experiment config as every command reads it: Config's rules and the stages' names (methods, tasks).
        var e = Record.Exception(() => Harness.Pipelines.ExperimentValidator.Read(json, "fuzz.json"));
        Assert.NotNull(e);
        return Assert.IsType<UserInputException>(e);
    }

    public static TheoryData<string> BadNames => ["a/b", "x/../../../../../escapeTB", "..", ".", "/abs/path", "", "tab\there", "bell\u0007", "back\\slash", ".hidden"];

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Every_name_that_becomes_a_path_is_refused_with_its_field(string bad)
    {
        var cases = new (string Field, Action<JsonObject> Mutate)[]
        {
            ("$.name", c => c["name"] = bad),
            ("$.students", c => { var s = c["students"]!.AsObject(); s.Remove("pico"); s[bad] = new JsonObject { ["preset"] = "pico" }; }),
            ("$.budgets[0].name", c => c["budgets"]![0]!["name"] = bad),
            ("$.methods", c => c["methods"]![0] = bad),
            ("$.evaluation.tasks", c => c["evaluation"]!["tasks"] = $"grammar,{bad}"),
        };
        foreach (var (field, mutate) in cases)
        {
            if (field == "$.students" && bad == "pico") continue;
            var config = Base();
            mutate(config);
            var e = Refused(config.ToJsonString());
            Assert.Contains(e.Problems, p => p.Contains(field, StringComparison.Ordinal));
            Assert.DoesNotContain(e.Problems, p => p.Contains("Exception", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("1000000000000000", "optimiser steps")]          // fits a long, overflows the 32-bit step counter
    [InlineData("1e30", "too large: an integer here must be at most 9,223,372,036,854,775,807")]
    [InlineData("-1e30", "too small")]
    [InlineData("4.096e4", "plain integer, e.g. 40960")]
    [InlineData("40960.0", "plain integer, e.g. 40960")]
    [InlineData("1.5", "whole number")]
    public void Huge_and_non_integral_budgets_name_the_rule_they_break(string tokens, string rule)
    {
        var json = Base().ToJsonString().Replace("\"tokens\":77824", $"\"tokens\":{tokens}", StringComparison.Ordinal);
        Assert.Contains(tokens, json);
        var e = Refused(json);
        var problems = e.Problems.Where(p => p.Contains("$.budgets[0].tokens", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Contains(rule, p));
    }

    [Fact]
    public void A_32_bit_field_names_its_own_limit()
    {
        var config = Base();
        config["seeds"] = JsonNode.Parse("[1, 3000000000]");
        var e = Refused(config.ToJsonString());
        Assert.Contains(e.Problems, p => p.Contains("$.seeds[1]") && p.Contains("2,147,483,647 (32-bit)"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_duplicate_key_is_refused_by_name_with_or_without_schema(bool withSchema)
    {
        var config = Base();
        if (!withSchema) config.Remove(JsonConfigReader.SchemaKey);
        var json = config.ToJsonString();
        json = json.Replace("\"seeds\":[1,2,3]", "\"seeds\":[1,2,3],\"seeds\":[4]", StringComparison.Ordinal)
                   .Replace("\"alpha\":0.5", "\"alpha\":0.5,\"alpha\":0.7", StringComparison.Ordinal);
        var e = Refused(json);
        Assert.Contains(e.Problems, p => p.Contains("$.seeds: key appears 2 times"));
        Assert.Contains(e.Problems, p => p.Contains("$.kd.alpha: key appears 2 times"));
    }

    [Fact]
    public void The_cli_answers_each_bad_config_with_exit_2_in_validate_run_and_dry_run()
    {
        using var tmp = new TempDirectory();
        var outRoot = tmp.File("results");
        var files = new List<string>();
        void Add(string name, string json) { var f = tmp.File(name); File.WriteAllText(f, json); files.Add(f); }
        Add("dup.json", Base().ToJsonString().Replace("\"seeds\":[1,2,3]", "\"seeds\":[1],\"seeds\":[2]", StringComparison.Ordinal));
        Add("huge.json", Base().ToJsonString().Replace("\"tokens\":77824", "\"tokens\":1000000000000000", StringComparison.Ordinal));
        var escape = Base();
        escape["students"]!.AsObject()["x/../../../../../escapeTB"] = new JsonObject { ["preset"] = "pico" };
        Add("escape.json", escape.ToJsonString());
        foreach (var file in files)
        {
            Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["validate", file]));
            Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["run", file, "--dry-run", "--out", outRoot]));
        }
        Assert.False(Directory.Exists(outRoot));
    }
}
