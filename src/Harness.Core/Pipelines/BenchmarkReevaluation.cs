using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Evaluation;
using Harness.Evaluation.Benchmarks;
using Harness.Results;
using Harness.Sweep;
using Harness.Data.Mixes;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Pipelines;

/// <summary>
/// `harness eval`: benchmark scores of a saved checkpoint, or of every finished unit of a results folder that lacks
/// benchmark rows (all with <c>force</c>).  A results folder gets each unit's rows written into it and its tables
/// rewritten.  Scores are final-point scores (<see cref="EvaluationPoint.Final"/>, step 0 since the scored model is
/// the one saved at the end); every request the model answered comes back as a sample (lm-eval's --log_samples).
/// </summary>
public static class BenchmarkReevaluation
{
    /// <summary>Scores the checkpoint in <paramref name="checkpoint"/> on data prepared as its train config says (the
    /// tokenizer must match the one it was trained with).</summary>
    /// <param name="standard">Data folder and few-shot settings of the standard (lm-eval) tasks; the task list is
    /// checked against it before data preparation or the model load.</param>
    public static ReevaluationResult ScoreCheckpoint(string checkpoint, string tasks, int maxItems, Device device, string repositoryRoot,
                                                     StandardTaskOptions? standard = null)
    {
        CheckTasks(tasks, standard);
        // A Hugging Face folder is scored with its own tokenizer; the task texts come from the default data (embedded corpus).
        bool imported = Modeling.ModelFolder.IsHuggingFace(checkpoint);
        var data = imported ? TrainingMixBuilder.Prepare(new DataSpec(), repositoryRoot) : DataFor(checkpoint, repositoryRoot);
        var tokenizer = imported ? Modeling.ModelFolder.OpenTokenizer(checkpoint).Tokenizer : data.Tokenizer;
        var taskList = TaskRegistry.Parse(tasks, data.Split.Validation.Select(d => d.Text).ToList(), standard: standard);
        var model = Modeling.ModelFolder.Load(checkpoint, device);
        using (model)
        {
            var recorder = new RecordingScorer(new GptScorer(model, tokenizer) { GroupByContext = TaskRegistry.HasStandardTask(tasks) });
            var rows = Score(recorder, taskList, Path.GetFileName(checkpoint), "checkpoint", 0, new EvaluationSpec { Tasks = tasks, MaxItems = maxItems });
            return new ReevaluationResult(rows, recorder.Records);
        }
    }

    /// <summary>Scores the saved model of every finished run in the results folder <paramref name="directory"/> (with the
    /// data of the config in its manifest) and writes the rows into the folder; <paramref name="progress"/> hears of
    /// each unit scored or skipped for lack of a saved model.</summary>
    public static ReevaluationResult ScoreResultsFolder(string directory, string tasks, int maxItems, bool force, Device device, string repositoryRoot,
                                                   IProgress<UnitReevaluation>? progress = null, StandardTaskOptions? standard = null)
    {
        var folder = new RunFolder(directory);
        using var manifest = JsonDocument.Parse(File.ReadAllText(new RunFolderLayout(directory).Manifest));
        var config = JsonSerializer.Deserialize<ExperimentConfig>(manifest.RootElement.GetProperty("config").GetRawText(), HarnessJson.Options)!;
        // Without a data folder of its own, the run's config supplies it (and its few-shot settings).
        if (standard?.DataDir is null && config.Evaluation.DataDir is not null) standard = EvaluationOptions.Standard(config.Evaluation);
        CheckTasks(tasks, standard);
        var data = TrainingMixBuilder.Prepare(config.Data, repositoryRoot);
        var taskList = TaskRegistry.Parse(tasks, data.Split.Validation.Select(d => d.Text).ToList(), standard: standard);
        var spec = new EvaluationSpec { Tasks = tasks, MaxItems = maxItems };
        var all = new List<EvalRow>();
        var samples = new List<SampleRecord>();
        foreach (var key in folder.FinishedUnitKeys)
        {
            if (!folder.ReadUnitRow(key).IsFinal) continue;   // a WSD trunk: not a finished run, no saved model
            var existing = folder.ReadUnitEvals(key);
            if (existing.Count > 0 && !force) continue;
            var row = folder.ReadUnitRow(key);
            var modelDir = folder.ModelDirectory(key);
            if (!File.Exists(Path.Combine(modelDir, Modeling.Checkpoint.ConfigFile)))
            {
                progress?.Report(new UnitReevaluation(key, row, UnitReevaluationStatus.NoSavedModel));
                continue;
            }
            var (model, _) = Modeling.Checkpoint.Load(modelDir, device);
            using (model)
            {
                var recorder = new RecordingScorer(new GptScorer(model, data.Tokenizer) { GroupByContext = TaskRegistry.HasStandardTask(tasks) });
                var rows = Score(recorder, taskList, key, row.Method, row.Tokens, spec)
                    .Select(r => r with { Student = row.Student, Budget = row.Budget, Seed = row.Seed }).ToList();
                samples.AddRange(recorder.Records.Select(s => s with { Task = $"{key}/{s.Task}" }));
                folder.WriteUnitEvals(key, rows);
                all.AddRange(rows);
                progress?.Report(new UnitReevaluation(key, row, UnitReevaluationStatus.Evaluated));
            }
        }
        folder.RewriteTables();
        return new ReevaluationResult(all, samples);
    }

    /// <summary>The whole task list is checked (names, data folder, files) before any data preparation or model load.</summary>
    static void CheckTasks(string tasks, StandardTaskOptions? standard)
    {
        var problems = TaskRegistry.Problems(tasks, standard);
        if (problems.Count > 0) throw new UserInputException($"task list '{tasks}': {problems.Count} problem(s); nothing was run.", problems);
    }

    static PreparedData DataFor(string checkpoint, string repositoryRoot)
    {
        var info = Modeling.Checkpoint.ReadInfo(checkpoint);
        var spec = new DataSpec();
        if (info.TrainConfig is not null)
            spec = JsonConfigReader.Read<TrainRunConfig>(info.TrainConfig, Path.Combine(checkpoint, Modeling.Checkpoint.ConfigFile) + ":train_config").Data;
        var data = TrainingMixBuilder.Prepare(spec, repositoryRoot);
        if (data.TokenizerHash != info.TokenizerHash && info.TokenizerHash != "")
            throw new UserInputException($"{checkpoint}: tokenizer mismatch.", [$"{Path.Combine(checkpoint, Modeling.Checkpoint.ConfigFile)}: tokenizer_hash {info.TokenizerHash} differs from the data's {data.TokenizerHash}."]);
        return data;
    }

    /// <summary>Runs the tasks one at a time so every recorded request carries its task's name.</summary>
    static List<EvalRow> Score(RecordingScorer recorder, IReadOnlyList<IEvaluationTask> tasks, string key, string method, long tokens, EvaluationSpec spec)
    {
        var rows = new List<EvalRow>();
        foreach (var task in tasks)
        {
            recorder.Task = task.Name;
            rows.AddRange(EvaluationRunner.Run(recorder, [task], key, method, EvaluationPoint.Final(0, tokens), spec));
        }
        return rows;
    }
}
