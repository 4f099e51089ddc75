using System.Diagnostics;
using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Evaluation;
using Harness.Evaluation.Benchmarks;
using Harness.Modeling;
using TorchSharp;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>A measurement, not a check: skipped unless HARNESS_EVAL_BENCH is set (run it alone, under the bench lock).</summary>
public sealed class EvalBenchFactAttribute : FactAttribute
{
    public EvalBenchFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HARNESS_EVAL_BENCH")))
            Skip = "HARNESS_EVAL_BENCH is not set: this measures requests/s (flock /work/bench.lock dotnet test … --filter ThroughputTests).";
    }
}

/// <summary>
/// Requests/s of a HellaSwag-shaped task (4 choices per context) scored one request at a time against batched with
/// each context's choices grouped (<see cref="GptScorer.GroupByContext"/>), on models/teacher-tiny and a random "micro"
/// student; both must give the same log-likelihoods.
/// </summary>
public class ThroughputTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [EvalBenchFact]
    public void Grouped_batches_against_one_request_at_a_time()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("hellaswag"));
        string[] verbs = ["pours", "lifts", "paints", "washes", "cuts", "folds", "throws", "carries"];
        string[] things = ["the flour into a bowl", "a heavy box onto the table", "the fence in the garden", "the dishes after dinner", "the bread into slices", "a shirt on the bed"];
        var rng = new Random(7);
        File.WriteAllLines(tmp.File("hellaswag/validation.jsonl"), Enumerable.Range(0, 96).Select(i => JsonSerializer.Serialize(new
        {
            activity_label = $"Activity {i}",
            ctx_a = string.Join(" ", Enumerable.Range(0, 1 + i % 4).Select(_ => $"A person {verbs[rng.Next(verbs.Length)]} {things[rng.Next(things.Length)]}.")),
            ctx_b = "then they",
            endings = Enumerable.Range(0, 4).Select(_ => string.Join(" and ", Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => $"{verbs[rng.Next(verbs.Length)]} {things[rng.Next(things.Length)]}")) + ".").ToArray(),
            label = rng.Next(4).ToString(System.Globalization.CultureInfo.InvariantCulture),
        })));
        var task = (MultipleChoiceBenchmark)StandardTasks.Load("hellaswag", new StandardTaskOptions(tmp.Path));
        var requests = Enumerable.Range(0, task.ItemCount).SelectMany(task.Requests).ToArray();

        var root = Path.GetFullPath(Path.Combine(StandardBenchmarkTests.FixtureDir, "..", "..", ".."));
        var teacherDir = Path.Combine(root, "models", "teacher-tiny");
        var tokenizer = TokenizerLoader.Load(Path.Combine(teacherDir, TokenizerLoader.TiktokenFileName));
        var (teacher, _) = Checkpoint.Load(teacherDir, torch.CPU);
        torch.manual_seed(1);
        using var student = new Gpt(GptConfig.Presets["micro"] with { VocabSize = teacher.Config.VocabSize });
        using (teacher)
            foreach (var (name, model) in new[] { ("teacher-tiny", teacher), ("micro student", student) })
            {
                var single = new GptScorer(model, tokenizer, batchSize: 1);
                var grouped = new GptScorer(model, tokenizer, batchSize: 32) { GroupByContext = true };
                single.LogLikelihood(requests[..8]); // warm-up
                grouped.LogLikelihood(requests[..8]);
                var (a, singleSeconds) = Time(() => single.LogLikelihood(requests));
                var (b, groupedSeconds) = Time(() => grouped.LogLikelihood(requests));
                for (int i = 0; i < requests.Length; i++) Assert.Equal(a[i].LogProb, b[i].LogProb, 3);
                output.WriteLine($"{name}: {requests.Length} requests ({task.ItemCount} contexts × 4); one at a time {requests.Length / singleSeconds:F0} req/s, " +
                                 $"grouped batches of 32 {requests.Length / groupedSeconds:F0} req/s, ratio {singleSeconds / groupedSeconds:F2}×");
            }
    }

    static (IReadOnlyList<LoglikelihoodResult>, double) Time(Func<IReadOnlyList<LoglikelihoodResult>> run)
    {
        var sw = Stopwatch.StartNew();
        var r = run();
        return (r, sw.Elapsed.TotalSeconds);
    }
}
