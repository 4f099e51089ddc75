using System.Runtime.InteropServices;
using System.ComponentModel;
using System.Globalization;
using Harness.Config;
using Harness.Pipelines;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.IO;

namespace Harness.Cli.Commands;

public sealed class RunSettings : TorchSettings
{
    [CommandArgument(0, "[CONFIG]")]
    [Description("Experiment config JSON (default: experiments/quickstart.json, embedded in the tool).")]
    public string? Config { get; init; }

    [CommandOption("--shard <I/N>")]
    [Description("Run the I-th of N deterministic shares of the units (1-based), e.g. 1/2; join folders with `harness merge`.")]
    public string? Shard { get; init; }

    [CommandOption("--only <TERMS>")]
    [Description("Run only units matching any comma-separated term: an exact unit key, method, student, budget or seedN, or a glob (logit-*, *kd); `seed1` never selects seed10.")]
    public string? Only { get; init; }

    [CommandOption("--dry-run")]
    [Description("Print the unit table with predicted FLOPs and a time estimate; train and write nothing.")]
    public bool DryRun { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Results root (default: results/ in the repository); the run lands in DIR/<experiment>/<config-hash>/.")]
    public string? Out { get; init; }

    [CommandOption("--force-report")]
    [Description("On a finished run, rewrite tables, manifest, multipliers and report anyway (default: report 'already complete' and touch nothing).")]
    public bool ForceReport { get; init; }

    [CommandOption("--set <KEY=VALUE>")]
    [Description("Override a config value (dotted snake_case path, JSON value), e.g. --set training.learning_rate=1e-3; repeatable; validated like the file and recorded in the manifest.")]
    public string[] Set { get; init; } = [];

    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json: one JSON document on standard output (the outcome, or the --dry-run plan); messages go to standard error.")]
    public string? Format { get; init; }

    [CommandOption("--jobs <N>")]
    [Description("Run N unit worker processes at once (each with --threads threads); 1 = all units in this process.")]
    [DefaultValue(1)]
    public int Jobs { get; init; } = 1;

    public override ValidationResult Validate() =>
        Jobs < 1 ? ValidationResult.Error($"--jobs: value {Jobs} must be ≥ 1") : ValidationResult.Success();
}

[Description("Run an experiment: teacher, students (scratch and distilled), evaluation, result files, multipliers and report. Re-running resumes; a finished run is left untouched.")]
public sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellation)
    {
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        var (config, source) = LoadConfig(settings.Config, settings.Set);
        if (settings.Jobs > 1 && !settings.DryRun)
        {
            var clash = new[] { ("--shard", settings.Shard is not null), ("--only", settings.Only is not null), ("--set", settings.Set.Length > 0), ("--format json", format == OutputFormat.Json) }
                .Where(x => x.Item2).Select(x => x.Item1).ToList();
            if (clash.Count > 0)
                throw new UserInputException($"--jobs cannot be combined with {string.Join(", ", clash)}.",
                    ["--jobs N: the worker processes read the config file itself; run a shard, a subset or an overridden config with --jobs 1, or write the overrides into a config file."]);
            if (!File.Exists(source))
                throw new UserInputException($"--jobs needs a config file the worker processes can read; {source} is not one — pass experiments/quickstart.json.");
            return RunLocal(config, source, settings.Out is null ? null : RepositoryPaths.Resolve(settings.Out), settings.Jobs,
                            settings.Threads > 0 ? settings.Threads : 1, settings.Device, cancellation);
        }
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var options = new SweepOptions
        {
            Device = device, RepositoryRoot = RepositoryPaths.Root, Shard = settings.Shard, Only = settings.Only,
            ResultsRoot = settings.Out is null ? null : RepositoryPaths.Resolve(settings.Out), ForceReport = settings.ForceReport, Overrides = settings.Set,
        };
        AnsiConsole.MarkupLine($"[bold]harness run[/] {Markup.Escape(config.Name)} ({Markup.Escape(source)}) on {DeviceSelector.Describe(device)}");
        bool live = Output.Interactive && format == OutputFormat.Table;
        ISweepObserver observer = live ? new LiveSweepObserver() : new LineSweepObserver(format == OutputFormat.Table ? Console.Out : Console.Error);
        var run = new ExperimentRun(config, options, observer);
        if (settings.DryRun)
            return DryRun.Print(run.DryRun(RepositoryPaths.Root), run.RunDirectory, config, format);
        WritableFolder.Require(run.RunDirectory, "the results folder");

        // Ctrl-C and SIGTERM (batch systems, containers, `timeout`): stop after the current step, checkpoint, say what is
        // saved and how to continue; exit 130 for Ctrl-C, 143 (128 + 15) for SIGTERM.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        string? stoppedBy = null;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stoppedBy ??= "Ctrl-C"; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;   // no immediate exit: the trainer checkpoints at its next step boundary
            stoppedBy ??= "SIGTERM";
            cts.Cancel();
        });
        var messages = new CallbackProgress<string>(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
        ExperimentRunResult result = null!;
        try
        {
            if (live)
                AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        ((LiveSweepObserver)observer).Attach(ctx);
                        result = run.Run(messages, cts.Token);
                    });
            else
                result = run.Run(messages, cts.Token);
        }
        catch (OperationCanceledException)
        {
            var folder = new RunFolder(run.RunDirectory);
            AnsiConsole.MarkupLine($"[yellow]interrupted{(stoppedBy is null ? "" : " by " + stoppedBy)}[/]: {folder.FinishedUnitKeys.Count} finished unit(s) are saved in {Markup.Escape(run.RunDirectory)}; " +
                                   $"the unit in progress checkpointed at the step it stopped at (else it keeps its last checkpoint, every training.checkpoint_interval = {config.Training.CheckpointInterval} steps).");
            AnsiConsole.MarkupLine($"resume with the same command: [bold]{Markup.Escape(ResumeCommand(settings))}[/]");
            return stoppedBy == "SIGTERM" ? HarnessApp.Terminated : HarnessApp.Cancelled;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        var outcome = result.Sweep;
        if (outcome.AlreadyComplete)
        {
            AnsiConsole.MarkupLine($"[green]already complete[/]: all {outcome.Units.Count} unit(s) of this config are finished in {Markup.Escape(outcome.Directory)}; nothing was run or rewritten " +
                                   "(--force-report rewrites tables, multipliers and report; `harness report DIR --out …` writes a fresh report elsewhere).");
            if (format == OutputFormat.Json) Output.WriteJson(Summary(outcome, null));
            else PrintFinalLosses(outcome.Directory);
            return outcome.Failed > 0 ? 1 : 0;
        }
        AnsiConsole.MarkupLine($"[green]done[/]: {outcome.Ran} unit(s) trained, {outcome.Skipped} already finished, "
            + (outcome.DoneElsewhere > 0 ? $"{outcome.DoneElsewhere} done by other processes, " : "") + $"{outcome.Failed} failed, in {outcome.WallSeconds:F0} s.");
        foreach (var r in outcome.Retried)
            AnsiConsole.MarkupLine($"[yellow]retried[/] unit {Markup.Escape(r.Key)} {r.Retries} time(s), {Markup.Escape(r.Status)}: {Markup.Escape(string.Join(" | ", r.Errors))}");
        foreach (var (key, reason) in outcome.FailedUnits)
            AnsiConsole.MarkupLine($"[red]failed[/] unit {Markup.Escape(key)}: {Markup.Escape(reason)} (a rerun retries it)");
        AnsiConsole.MarkupLine($"results: [link]{Markup.Escape(outcome.Directory)}[/]");
        if (format == OutputFormat.Table) PrintFinalLosses(outcome.Directory);
        if (result.Estimate is { } estimate) EstimateReportOutput.Print(estimate);
        else if (result.WaitingMessage is { } waiting) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(waiting)}[/]");
        if (format == OutputFormat.Json) Output.WriteJson(Summary(outcome, result.Estimate));
        return outcome.Failed > 0 ? 1 : 0;
    }

    /// <summary>
    /// The local executor (<see cref="ExperimentRun.RunLocal"/>): prepare here, then <paramref name="jobs"/> long-lived
    /// worker processes with <paramref name="threads"/> threads each, then collect, estimate and report here.
    /// </summary>
    internal static int RunLocal(ExperimentConfig config, string configPath, string? resultsRoot, int jobs, int threads, string device,
                                 CancellationToken cancellation)
    {
        DeviceSelector.ConfigureThreads(threads);
        var options = new SweepOptions { Device = DeviceSelector.Resolve(device), RepositoryRoot = RepositoryPaths.Root, ResultsRoot = resultsRoot };
        var run = new ExperimentRun(config, options, new LogObserver());
        WritableFolder.Require(run.RunDirectory, "the results folder");
        AnsiConsole.MarkupLine($"[bold]harness run[/] {Markup.Escape(config.Name)} with {jobs} worker processes × {threads} thread(s)");
        void Grey(string line) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
        var result = run.RunLocal(new LocalWorkers(jobs, threads, HarnessProcess.CommandPrefix(), configPath, RepositoryPaths.Root, device, Grey),
                                  new CallbackProgress<string>(Grey), cancellation);
        int code = WorkerCommand.PrintFinalized(result.Final);
        AnsiConsole.MarkupLine($"[green]done[/]: {result.Report.Finished.Count} launch(es) trained by {jobs} workers in {result.WallSeconds:F0} s; results: {Markup.Escape(run.RunDirectory)}");
        PrintFinalLosses(run.RunDirectory);
        return code;
    }

    static string ResumeCommand(RunSettings s)
    {
        var parts = new List<string> { "harness", "run" };
        if (s.Config is not null) parts.Add(s.Config);
        if (s.Shard is not null) parts.AddRange(["--shard", s.Shard]);
        if (s.Only is not null) parts.AddRange(["--only", s.Only]);
        if (s.Out is not null) parts.AddRange(["--out", s.Out]);
        foreach (var o in s.Set) parts.AddRange(["--set", o]);
        return string.Join(' ', parts.Select(p => p.Contains(' ') ? $"'{p}'" : p));
    }

    /// <summary>The <c>--format json</c> document of a run: where it is, what ran, and each unit's final numbers.</summary>
    static object Summary(SweepOutcome outcome, EstimateAndReportResult? after)
    {
        var runsPath = new RunFolderLayout(outcome.Directory).Runs;
        var rows = File.Exists(runsPath) ? ResultTables.ReadAll<RunRow>(runsPath) : [];
        var keys = outcome.Units.Select(u => u.Key).ToHashSet();
        return new
        {
            SchemaVersion = ResultSchema.Version,
            Directory = outcome.Directory,
            AlreadyComplete = outcome.AlreadyComplete,
            UnitsTrained = outcome.Ran, UnitsSkipped = outcome.Skipped, UnitsFailed = outcome.Failed, WallSeconds = outcome.WallSeconds,
            Multipliers = after?.Files?.Multipliers ?? Existing(outcome.Directory, ResultSchema.MultipliersFile),
            Report = after?.Report?.Html ?? Existing(outcome.Directory, Harness.Reporting.ReportWriter.HtmlFile),
            Units = rows.Where(r => keys.Contains(r.UnitKey)).Select(r => new
            {
                r.UnitKey, r.Method, r.Student, r.Budget, r.Seed, r.Tokens, r.FlopsStudentTrain, r.ValLoss, ValBpb = r.ValBitsPerByte, r.Status, r.WallSeconds,
            }),
        };
    }

    static string? Existing(string directory, string file) => File.Exists(Path.Combine(directory, file)) ? Path.Combine(directory, file) : null;

    /// <summary>The experiment config of `run`, `worker` and `submit` (a file, or the quickstart), with --set overrides, checked
    /// by <see cref="ExperimentValidator"/> up front: every problem at once, before data, teacher or any unit.</summary>
    internal static (ExperimentConfig Config, string Source) LoadConfig(string? path, IReadOnlyList<string>? overrides = null)
    {
        overrides ??= [];
        string json, source;
        bool embedded = false;
        if (path is not null)
        {
            source = RepositoryPaths.ResolveInput(path);
            if (!File.Exists(source)) JsonConfigReader.ReadFile<ExperimentConfig>(source); // the reader's not-found message
            json = File.ReadAllText(source);
        }
        else if (File.Exists(RepositoryPaths.Resolve("experiments/quickstart.json")))
        {
            source = RepositoryPaths.Resolve("experiments/quickstart.json");
            json = File.ReadAllText(source);
        }
        else
        {
            using var stream = typeof(RunCommand).Assembly.GetManifestResourceStream("quickstart.json")!;
            json = new StreamReader(stream).ReadToEnd();
            source = "embedded quickstart.json";
            embedded = true;
        }
        if (overrides.Count > 0)
        {
            json = ConfigOverrides.Apply(json, overrides, source);
            source += " with --set " + string.Join(" ", overrides);
        }
        // Outside a clone the quickstart's teacher (train config, shipped checkpoint) comes with the tool: its teacher is
        // checked once they are placed.
        var config = ExperimentValidator.Read(json, source, embedded ? null : RepositoryPaths.Root);
        if (embedded)
        {
            foreach (var placed in EmbeddedQuickstart.Materialize(config, RepositoryPaths.Root))
                AnsiConsole.MarkupLine($"[grey]quickstart: placed the tool's {Markup.Escape(Path.GetFileName(placed))} at {Markup.Escape(placed)}[/]");
            if (ExperimentValidator.TeacherProblems(config, RepositoryPaths.Root, "$") is { Count: > 0 } teacher)
                throw new UserInputException($"{source}: {teacher.Count} problem(s) in config.", teacher.Select(p => $"{source}: {p}").ToList());
        }
        return (config, source);
    }

    static void PrintFinalLosses(string directory)
    {
        if (FinalLossTable.Read(directory) is not { } losses) return;
        var table = new Table().Title("final validation loss (nats/token) of finished runs, mean over seeds").AddColumn("student").AddColumn("budget");
        foreach (var m in losses.Methods) table.AddColumn(m);
        foreach (var row in losses.Rows)
            table.AddRow(new[] { $"{row.Student} ({row.ParamsNonEmbedding:N0})", $"{row.Budget} ({row.Tokens:N0} tok)" }
                .Concat(row.MeanValLoss.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))).ToArray());
        AnsiConsole.Write(table);
    }
}
