using Harness.Reporting;
using Harness.Results;

namespace Harness.Tests.Reporting;

public class LmEvalComparisonTests
{
    [Fact]
    public void A_harness_results_file_sits_beside_an_lm_eval_one_and_version_or_shot_differences_are_flagged()
    {
        using var tmp = new TempDirectory();
        var rows = new[]
        {
            new EvalRow { Task = "arc_easy", TaskVersion = 1, Metric = "acc", Value = 0.5, StdErr = 0.1, Items = 10, Chance = 0.25, HigherIsBetter = true },
            new EvalRow { Task = "wikitext", TaskVersion = 1, Metric = "word_perplexity", Value = 40, StdErr = double.NaN, Items = 2, Chance = double.NaN, HigherIsBetter = false },
        };
        LmEvalResults.FromRows(rows, new Dictionary<string, int> { ["arc_easy"] = 0, ["wikitext"] = 0 }, new Dictionary<string, string> { ["model"] = "harness" }).Write(tmp.File("harness.json"));
        // As lm_eval --output_path writes it (abridged): "metric,filter" keys, "N/A" stderr, float versions.
        File.WriteAllText(tmp.File("lm-eval.json"), """
        {
          "results": {
            "arc_easy": { "alias": "arc_easy", "acc,none": 0.625, "acc_stderr,none": 0.0099, "acc_norm,none": 0.58, "acc_norm_stderr,none": 0.01 },
            "wikitext": { "alias": "wikitext", "word_perplexity,none": 37.5, "word_perplexity_stderr,none": "N/A" }
          },
          "versions": { "arc_easy": 1.0, "wikitext": 2.0 },
          "n-shot": { "arc_easy": 0, "wikitext": 0 },
          "higher_is_better": { "arc_easy": { "acc": true, "acc_norm": true }, "wikitext": { "word_perplexity": false } },
          "config": { "model": "hf", "model_args": "pretrained=x", "batch_size": 8 }
        }
        """);
        var back = LmEvalResults.Read(tmp.File("harness.json"));
        Assert.Equal(0.5, back.Results["arc_easy"]["acc"]);
        Assert.Equal(0.1, back.StdErrs["arc_easy"]["acc"]);
        Assert.True(double.IsNaN(back.StdErrs["wikitext"]["word_perplexity"]));
        Assert.Equal("1", back.Versions["arc_easy"]);
        Assert.False(back.HigherIsBetter["wikitext"]["word_perplexity"]);

        var compared = LmEvalComparison.Compare([tmp.File("harness.json"), tmp.File("lm-eval.json")]);
        var acc = compared.Single(r => r.Task == "arc_easy" && r.Metric == "acc");
        Assert.Equal([0.5, 0.625], acc.Values);
        Assert.True(acc.Comparable); // version 1 = 1.0
        var ppl = compared.Single(r => r.Task == "wikitext");
        Assert.Equal([40.0, 37.5], ppl.Values);
        Assert.False(ppl.Comparable);
        Assert.Contains("versions differ (1 / 2)", ppl.Note);
        Assert.Throws<UserInputException>(() => LmEvalResults.Read(tmp.File("absent.json")));
        File.WriteAllText(tmp.File("other.json"), """{ "rows": [] }""");
        Assert.Contains("no \"results\" object", Assert.Throws<UserInputException>(() => LmEvalResults.Read(tmp.File("other.json"))).Message);
    }
}
