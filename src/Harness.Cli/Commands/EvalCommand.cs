using System.ComponentModel;
using System.Text.Json;
using Harness.Evaluation;
using Harness.Modeling;
using Harness.Pipelines;
using Harness.Results;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.IO;

namespace Harness.Cli.Commands;

public sealed class EvalSettings : TorchSettings
{
    [CommandArgument(0, "<MODEL_OR_RESULTS>")]
    [Description("A checkpoint folder (config.json + model.safetensors) or a results folder written by `harness run`.")]
    public string Target { get; init; } = "";

    [CommandOption("--tasks <TASKS>")]
    [Description("all, or a comma list of task names (grammar, knowledge, arithmetic_2d, last_word, …; the standard tasks hellaswag, arc_easy, arc_challenge, piqa, winogrande, sciq, openbookqa, lambada_openai, wikitext, mmlu need --data).")]
    [DefaultValue("all")]
    public string Tasks { get; init; } = "all";

    [CommandOption("--max-items <N>")]
    [Description("Items per task (0 = all).")]
    [DefaultValue(0)]
    public int MaxItems { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Folder of the standard tasks' published data files (hellaswag/, arc_easy/, …, wikitext/; README \"Standard benchmarks\").")]
    public string? Data { get; init; }

    [CommandOption("--num-fewshot <N>")]
    [Description("Few-shot examples per standard multiple-choice task (lm-eval's --num_fewshot).")]
    [DefaultValue(0)]
    public int NumFewShot { get; init; }

    [CommandOption("--fewshot-seed <SEED>")]
    [Description("Seed of the few-shot draw.")]
    [DefaultValue(1234)]
    public int FewShotSeed { get; init; } = 1234;

    [CommandOption("--force")]
    [Description("Results folder: re-evaluate units that already have benchmark rows.")]
    public bool Force { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Also write DIR/evals.csv (the scores, evals.csv columns), DIR/results.json (lm-eval's results shape) and DIR/samples.jsonl (every request with the model's answer, like lm-eval's --log_samples). DIR must not hold an evals.csv yet.")]
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
        if (settings.Out is { } o && File.Exists(new RunFolderLayout(RepositoryPaths.Resolve(o)).Evals))
            throw new UserInputException($"eval --out: {RepositoryPaths.Resolve(o)} already holds {ResultSchema.EvalsFile}; nothing was run.", ["--out: choose a new folder."]);
        if (settings.NumFewShot < 0) throw new UserInputException($"eval --num-fewshot: value {settings.NumFewShot} must be ≥ 0.");
        var standard = new Harness.Evaluation.Benchmarks.StandardTaskOptions(settings.Data is null ? null : RepositoryPaths.ResolveInput(settings.Data), settings.NumFewShot, settings.FewShotSeed);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var target = RepositoryPaths.ResolveInput(settings.Target);
        if (File.Exists(new RunFolderLayout(target).Manifest))
        {
            var result = BenchmarkReevaluation.ScoreResultsFolder(target, settings.Tasks, settings.MaxItems, settings.Force, device, RepositoryPaths.Root,
                new CallbackProgress<UnitReevaluation>(u => AnsiConsole.MarkupLine(u.Status == UnitReevaluationStatus.NoSavedModel
                    ? $"[yellow]unit {u.UnitKey}: no saved model, skipped[/]"
                    : $"[grey]unit {u.UnitKey} ({u.Unit.Method} {u.Unit.Student} {u.Unit.Budget} seed {u.Unit.Seed}) evaluated[/]")), standard);
            if (result.Rows.Count == 0) AnsiConsole.MarkupLine("every unit already has benchmark rows (use --force to re-evaluate).");
            Emit(result.Rows, result.Samples, settings, format, result.Rows.GroupBy(r => r.Method));
            return 0;
        }
        if (!File.Exists(Path.Combine(target, Checkpoint.ConfigFile)))
            throw new UserInputException($"{target}: neither a checkpoint folder ({Checkpoint.ConfigFile}) nor a results folder ({ResultSchema.ManifestFile}).");
        var scored = BenchmarkReevaluation.ScoreCheckpoint(target, settings.Tasks, settings.MaxItems, device, RepositoryPaths.Root, standard);
        Emit(scored.Rows, scored.Samples, settings, format, scored.Rows.GroupBy(_ => Path.GetFileName(target)));
        return 0;
    }

    static void Emit(IReadOnlyList<EvalRow> rows, IReadOnlyList<SampleRecord> samples, EvalSettings settings, OutputFormat format, IEnumerable<IGrouping<string, EvalRow>> groups)
    {
        if (settings.Out is { } o)
        {
            var layout = new RunFolderLayout(RepositoryPaths.Resolve(o));
            Directory.CreateDirectory(layout.Directory);
            ResultTables.WriteAll(layout.Evals, rows);
            var jsonl = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            AtomicFile.WriteAllText(layout.Samples, string.Concat(samples.Select(s => JsonSerializer.Serialize(s, jsonl) + "\n")));
            (LmEvalResults.FromRows(rows, EvaluationOptions.NShot(rows.Select(r => r.Task).Distinct(), settings.NumFewShot), new Dictionary<string, string>
            {
                ["model"] = "harness",
                ["model_args"] = $"pretrained={settings.Target}",
                ["limit"] = settings.MaxItems > 0 ? settings.MaxItems.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null",
                ["fewshot_seed"] = settings.FewShotSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["data_dir"] = settings.Data ?? "",
            }) with { GroupSubtasks = EvaluationOptions.GroupSubtasks(rows.Select(r => r.Task).Distinct()) }).Write(layout.LmEvalResults);
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(layout.Evals)}, {RunFolderLayout.LmEvalResultsFile} and {RunFolderLayout.SamplesFile} ({samples.Count} requests)");
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
            foreach (var r in g.GroupBy(r => (r.Task, r.Metric)).Select(x => x.First()).Where(r => r.Metric is "acc" or "acc_norm" or "exact_match" or "perplexity" or "word_perplexity" or "bits_per_byte"))
                table.AddRow(Markup.Escape(g.Key), r.Task, r.Metric, r.Value.ToString("F3"), r.StdErr.ToString("F3"), double.IsNaN(r.Chance) ? "" : r.Chance.ToString("F3"), r.Items.ToString());
        AnsiConsole.Write(table);
    }
}
