using System.ComponentModel;
using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Evaluation;
using Harness.Modeling;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.Data.Mixes;

namespace Harness.Cli.Commands;

public sealed class EvalSettings : TorchSettings
{
    [CommandArgument(0, "<MODEL_OR_RESULTS>")]
    [Description("A checkpoint folder (config.json + model.safetensors) or a results folder written by `harness run`.")]
    public string Target { get; init; } = "";

    [CommandOption("--tasks <TASKS>")]
    [Description("all, or a comma list of task names (grammar, knowledge, arithmetic_2d, last_word, …).")]
    [DefaultValue("all")]
    public string Tasks { get; init; } = "all";

    [CommandOption("--max-items <N>")]
    [Description("Items per task (0 = all).")]
    [DefaultValue(0)]
    public int MaxItems { get; init; }

    [CommandOption("--force")]
    [Description("Results folder: re-evaluate units that already have benchmark rows.")]
    public bool Force { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Also write DIR/evals.csv (the scores, evals.csv columns) and DIR/samples.jsonl (every request with the model's answer, like lm-eval's --log_samples). DIR must not hold an evals.csv yet.")]
    public string? Out { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (default), json or csv on standard output (rows with the evals.csv columns); messages go to standard error.")]
    public string? Format { get; init; }

}

[Description("Score a checkpoint, or every unit of a results folder that lacks benchmark rows, on the task suite; prints a table.")]
public sealed class EvalCommand : Command<EvalSettings>
{
    public override int Execute(CommandContext context, EvalSettings settings, CancellationToken cancellation)
    {
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv);
        Output.Configure(format);
        if (settings.Out is { } o && File.Exists(Path.Combine(RepositoryPaths.Resolve(o), ResultSchema.EvalsFile)))
            throw new UserInputException($"eval --out: {RepositoryPaths.Resolve(o)} already holds {ResultSchema.EvalsFile}; nothing was run.", ["--out: choose a new folder."]);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var target = RepositoryPaths.ResolveInput(settings.Target);
        int? maxItems = settings.MaxItems > 0 ? settings.MaxItems : null;
        if (File.Exists(Path.Combine(target, ResultSchema.ManifestFile)))
            return EvaluateResults(target, settings, maxItems, device, format);
        if (!File.Exists(Path.Combine(target, Checkpoint.ConfigFile)))
            throw new UserInputException($"{target}: neither a checkpoint folder ({Checkpoint.ConfigFile}) nor a results folder ({ResultSchema.ManifestFile}).");
        var data = DataFor(target);
        var tasks = TaskRegistry.Parse(settings.Tasks, data.Split.Validation.Select(d => d.Text).ToList());
        var (model, _) = Checkpoint.Load(target, device);
        using (model)
        {
            var recorder = new RecordingScorer(new GptScorer(model, data.Tokenizer));
            var rows = Score(recorder, tasks, Path.GetFileName(target), "checkpoint", 0, maxItems);
            Emit(rows, recorder.Records, settings, format, rows.GroupBy(_ => Path.GetFileName(target)));
        }
        return 0;
    }

    int EvaluateResults(string directory, EvalSettings settings, int? maxItems, TorchSharp.torch.Device device, OutputFormat format)
    {
        var folder = new RunFolder(directory);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ResultSchema.ManifestFile)));
        var config = JsonSerializer.Deserialize<ExperimentConfig>(manifest.RootElement.GetProperty("config").GetRawText(), JsonConfigReader.Options)!;
        var data = TrainingMixBuilder.Prepare(config.Data, RepositoryPaths.Root);
        var tasks = TaskRegistry.Parse(settings.Tasks, data.Split.Validation.Select(d => d.Text).ToList());
        var all = new List<EvalRow>();
        var samples = new List<SampleRecord>();
        foreach (var key in folder.FinishedUnitKeys)
        {
            if (!folder.ReadUnitRow(key).IsFinal) continue;   // a WSD trunk: not a finished run, no saved model
            var existing = folder.ReadUnitEvals(key);
            if (existing.Count > 0 && !settings.Force) continue;
            var modelDir = folder.ModelDirectory(key);
            if (!File.Exists(Path.Combine(modelDir, Checkpoint.ConfigFile)))
            {
                AnsiConsole.MarkupLine($"[yellow]unit {key}: no saved model, skipped[/]");
                continue;
            }
            var row = folder.ReadUnitRow(key);
            var (model, _) = Checkpoint.Load(modelDir, device);
            using (model)
            {
                var recorder = new RecordingScorer(new GptScorer(model, data.Tokenizer));
                var rows = Score(recorder, tasks, key, row.Method, row.Tokens, maxItems)
                    .Select(r => r with { Student = row.Student, Budget = row.Budget, Seed = row.Seed }).ToList();
                samples.AddRange(recorder.Records.Select(s => s with { Task = $"{key}/{s.Task}" }));
                folder.WriteUnitEvals(key, rows);
                all.AddRange(rows);
                AnsiConsole.MarkupLine($"[grey]unit {key} ({row.Method} {row.Student} {row.Budget} seed {row.Seed}) evaluated[/]");
            }
        }
        folder.RewriteTables();
        if (all.Count == 0) AnsiConsole.MarkupLine("every unit already has benchmark rows (use --force to re-evaluate).");
        Emit(all, samples, settings, format, all.GroupBy(r => r.Method));
        return 0;
    }

    static PreparedData DataFor(string checkpoint)
    {
        var info = Checkpoint.ReadInfo(checkpoint);
        var spec = new DataSpec();
        if (info.TrainConfig is not null)
            spec = JsonConfigReader.Read<TrainRunConfig>(info.TrainConfig, Path.Combine(checkpoint, Checkpoint.ConfigFile) + ":train_config").Data;
        var data = TrainingMixBuilder.Prepare(spec, RepositoryPaths.Root);
        if (data.TokenizerHash != info.TokenizerHash && info.TokenizerHash != "")
            throw new UserInputException($"{checkpoint}: tokenizer mismatch.", [$"{Path.Combine(checkpoint, Checkpoint.ConfigFile)}: tokenizer_hash {info.TokenizerHash} differs from the data's {data.TokenizerHash}."]);
        return data;
    }

    /// <summary>Runs the tasks one at a time so every recorded request carries its task's name.</summary>
    static List<EvalRow> Score(RecordingScorer recorder, IReadOnlyList<IEvaluationTask> tasks, string key, string method, long tokens, int? maxItems)
    {
        var rows = new List<EvalRow>();
        foreach (var task in tasks)
        {
            recorder.Task = task.Name;
            rows.AddRange(EvaluationRunner.Run(recorder, [task], key, method, 0, tokens, true, maxItems));
        }
        return rows;
    }

    static void Emit(IReadOnlyList<EvalRow> rows, IReadOnlyList<SampleRecord> samples, EvalSettings settings, OutputFormat format, IEnumerable<IGrouping<string, EvalRow>> groups)
    {
        if (settings.Out is { } o)
        {
            var dir = RepositoryPaths.Resolve(o);
            Directory.CreateDirectory(dir);
            ResultTables.WriteAll(Path.Combine(dir, ResultSchema.EvalsFile), rows);
            var jsonl = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            AtomicFile.WriteAllText(Path.Combine(dir, "samples.jsonl"), string.Concat(samples.Select(s => JsonSerializer.Serialize(s, jsonl) + "\n")));
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.Combine(dir, ResultSchema.EvalsFile))} and samples.jsonl ({samples.Count} requests)");
        }
        switch (format)
        {
            case OutputFormat.Json: Output.WriteJson(rows); break;
            case OutputFormat.Csv:
                var tmp = Path.GetTempFileName();
                ResultTables.WriteAll(tmp, rows);
                Console.Out.Write(File.ReadAllText(tmp));
                File.Delete(tmp);
                break;
            default: if (rows.Count > 0) Print(groups); break;
        }
    }

    static void Print(IEnumerable<IGrouping<string, EvalRow>> groups)
    {
        var table = new Table().AddColumns("model", "task", "metric", "value", "± stderr", "chance", "n");
        foreach (var g in groups)
            foreach (var r in g.GroupBy(r => (r.Task, r.Metric)).Select(x => x.First()).Where(r => r.Metric is "acc" or "acc_norm" or "exact_match"))
                table.AddRow(Markup.Escape(g.Key), r.Task, r.Metric, r.Value.ToString("F3"), r.StdErr.ToString("F3"), double.IsNaN(r.Chance) ? "" : r.Chance.ToString("F3"), r.Items.ToString());
        AnsiConsole.Write(table);
    }
}
