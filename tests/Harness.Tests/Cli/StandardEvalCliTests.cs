using System.Text.Json;
using Harness.Cli;

namespace Harness.Tests.Cli;

/// <summary>`harness eval --data` on the hand-written fixtures: the lm-eval-shaped results.json beside evals.csv, and a
/// bad task list refused before any data preparation or model load.</summary>
public class StandardEvalCliTests
{
    [Fact]
    public void Eval_with_data_writes_lm_eval_results_json_and_a_bad_task_list_is_refused_first()
    {
        var root = CliTests.RepositoryRoot();
        var outDir = Path.Combine(TestSupport.TempDirectory(), "eval");
        var fixtures = Path.Combine(root, "tests", "fixtures", "standard");
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["eval", Path.Combine(root, "models", "teacher-tiny"), "--tasks", "arc_easy,nope", "--data", fixtures, "--out", outDir]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["eval", Path.Combine(root, "models", "teacher-tiny"), "--tasks", "arc_easy", "--out", outDir])); // no --data
        Assert.False(File.Exists(Path.Combine(outDir, "evals.csv")));

        Assert.Equal(0, HarnessApp.Run(["eval", Path.Combine(root, "models", "teacher-tiny"), "--tasks", "arc_easy,winogrande,lambada_openai", "--data", fixtures, "--out", outDir, "--format", "json"]));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(["arc_easy", "lambada_openai", "winogrande"], results.EnumerateObject().Select(p => p.Name));
        var acc = results.GetProperty("arc_easy").GetProperty("acc,none").GetDouble();
        Assert.Contains(acc, new[] { 0.0, 0.5, 1.0 }); // two items
        Assert.Equal("N/A", results.GetProperty("lambada_openai").GetProperty("perplexity_stderr,none").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("n-shot").GetProperty("winogrande").GetInt32());
        Assert.Equal("1", doc.RootElement.GetProperty("versions").GetProperty("arc_easy").GetString());
        Assert.False(doc.RootElement.GetProperty("higher_is_better").GetProperty("lambada_openai").GetProperty("perplexity").GetBoolean());
        Assert.True(File.Exists(Path.Combine(outDir, "evals.csv")));
    }
}
