using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Config;
using Harness.Sweep;
using Harness.Tests.Cli;

namespace Harness.Tests.Config;

/// <summary>
/// Results folders (<c>results/NAME/CONFIG_HASH</c>) and unit keys hash the serialized config, so a new config field
/// must serialize to nothing at its default: otherwise every existing results folder is orphaned and a rerun trains
/// everything again.  Issue 20 once leaked <c>corpus_or_default</c> and <c>max_epochs_or_default</c> into the hash and
/// moved <c>corpus</c>; these tests pin the serialized form.
/// </summary>
public class ConfigHashTests
{
    [Fact]
    public void Data_spec_serializes_as_before_new_fields_at_their_defaults_add_nothing()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(new DataSpec(), Harness.IO.HarnessJson.Options))!.AsObject();
        // The form written before issue 20: corpus first (then a string), the two *_or_default getters, nothing else.
        Assert.Equal(["corpus", "tokenizer_or_default", "split_or_default"], json.Select(p => p.Key));
        Assert.Equal("embedded", json["corpus"]!.GetValue<string>());
        var withLimit = JsonNode.Parse(JsonSerializer.Serialize(new DataSpec { MaxEpochs = 8 }, Harness.IO.HarnessJson.Options))!.AsObject();
        Assert.Contains("max_epochs", withLimit.Select(p => p.Key));   // a value the user sets does change the hash
    }

    [Fact]
    public void The_quickstart_keeps_its_results_folder()
    {
        // ba75ee0b493f is the folder every release since the WSD quickstart (0bf35cf) wrote; a change here orphans users' runs.
        var config = JsonConfigReader.Read<ExperimentConfig>(File.ReadAllText(Path.Combine(CliTests.RepositoryRoot(), "experiments", "quickstart.json")), "quickstart.json");
        Assert.Equal("ba75ee0b493f", SweepPlan.Hash(config with { Tracking = null, Run = null }));
    }
}
