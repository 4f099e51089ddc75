using Harness.Modeling;
using Harness.Pipelines;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;
using Harness.IO;

namespace Harness.Tests.Pipelines;

[Collection(PipelineCollection.Name)]
public class BenchmarkReevaluationTests(PipelineFixture pipeline)
{
    static void Copy(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void A_results_folder_is_scored_again_only_where_rows_are_missing_unless_forced()
    {
        using var tmp = new TempDirectory();
        var folderPath = tmp.File("run");
        Copy(pipeline.Full.Sweep.Directory, folderPath);
        var folder = new RunFolder(folderPath);
        var keys = folder.FinishedUnitKeys;

        var reports = new List<UnitReevaluation>();
        var none = BenchmarkReevaluation.ScoreResultsFolder(folderPath, "grammar", 3, force: false, torch.CPU, pipeline.Root, new CallbackProgress<UnitReevaluation>(reports.Add));
        Assert.Empty(none.Rows);   // the sweep scored every unit already
        Assert.Empty(reports);

        // One unit loses its saved model: it is reported and skipped; the others are scored and their rows written.
        var lost = keys[0];
        Directory.Delete(folder.ModelDirectory(lost), recursive: true);
        var forced = BenchmarkReevaluation.ScoreResultsFolder(folderPath, "grammar", 3, force: true, torch.CPU, pipeline.Root, new CallbackProgress<UnitReevaluation>(reports.Add));
        Assert.Equal((lost, UnitReevaluationStatus.NoSavedModel), (reports[0].UnitKey, reports[0].Status));
        Assert.Equal(keys.Skip(1), reports.Skip(1).Select(r => r.UnitKey));
        Assert.All(reports.Skip(1), r => Assert.Equal(UnitReevaluationStatus.Evaluated, r.Status));
        Assert.Equal(keys.Skip(1).ToHashSet(), forced.Rows.Select(r => r.UnitKey).ToHashSet());
        Assert.All(forced.Rows, r =>
        {
            var unit = folder.ReadUnitRow(r.UnitKey);
            Assert.Equal((unit.Method, unit.Student, unit.Budget, unit.Seed, unit.Tokens), (r.Method, r.Student, r.Budget, r.Seed, r.Tokens));
            Assert.True(r.IsFinal && !r.Subset && r.Step == 0 && r.Task == "grammar" && (r.Metric != "acc" || r.Items == 3));
        });
        foreach (var key in keys.Skip(1))
            Assert.Equal(forced.Rows.Where(r => r.UnitKey == key).Select(r => r.Value), folder.ReadUnitEvals(key).Select(r => r.Value));
        // The folder's evals.csv is rewritten from the units' rows.
        Assert.Contains(ResultTables.ReadAll<EvalRow>(Path.Combine(folderPath, ResultSchema.EvalsFile)), e => e.Metric == "acc" && e.Items == 3);
        Assert.NotEmpty(forced.Samples);
        Assert.All(forced.Samples, s => Assert.Matches(@"^[^/]+/grammar$", s.Task));
    }

    [Fact]
    public void A_checkpoint_is_scored_with_the_data_of_its_train_config()
    {
        // The teacher of the run, saved again with the train config `harness train` records (its data section).
        using var tmp = new TempDirectory();
        var (model, info) = Checkpoint.Load(Path.Combine(pipeline.Root, "models", "teacher"), torch.CPU);
        var trainConfig = """
            { "name": "t", "output": "o", "model": { "preset": "pico" }, "training": { "max_steps": 1 },
              "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } } }
            """;
        using (model)
        {
            Checkpoint.Save(model, tmp.File("teacher"), info with { TrainConfig = trainConfig });
            Checkpoint.Save(model, tmp.File("other"), info with { TrainConfig = trainConfig, TokenizerHash = "0123abcd" });
        }
        var scored = BenchmarkReevaluation.ScoreCheckpoint(tmp.File("teacher"), "grammar", 4, torch.CPU, pipeline.Root);
        Assert.NotEmpty(scored.Rows);
        Assert.All(scored.Rows, r => Assert.True(r.UnitKey == "teacher" && r.Method == "checkpoint" && r.IsFinal && !r.Subset && (r.Metric != "acc" || r.Items == 4)));
        Assert.NotEmpty(scored.Samples);
        Assert.All(scored.Samples, s => Assert.Equal("grammar", s.Task));

        // A checkpoint trained with another tokenizer is refused, naming both hashes.
        var e = Assert.Throws<UserInputException>(() => BenchmarkReevaluation.ScoreCheckpoint(tmp.File("other"), "grammar", 4, torch.CPU, pipeline.Root));
        Assert.Contains("tokenizer mismatch", e.Message);
        Assert.Contains(e.Problems, p => p.Contains("0123abcd"));
    }
}
