using System.ComponentModel;
using Harness.Pipelines;
using Harness.Sweep;
using Harness.Sweep.Slurm;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class SubmitSettings : CommandSettings
{
    [CommandArgument(0, "<CONFIG>")]
    [Description("Experiment config JSON (on storage every node sees).")]
    public string Config { get; init; } = "";

    [CommandOption("--executor <E>")]
    [Description("slurm (job arrays) | local (worker processes here, as `run --jobs`).")]
    [DefaultValue("slurm")]
    public string Executor { get; init; } = "slurm";

    [CommandOption("--partition <P>")] [Description("Slurm partition (checked against `sinfo`).")]
    public string? Partition { get; init; }

    [CommandOption("--gpus-per-unit <N>")] [Description("GPUs per unit (--gres=gpu:N); the unit uses the first visible one.")]
    public int GpusPerUnit { get; init; }

    [CommandOption("--cpus-per-unit <N>")] [Description("CPU cores per unit (--cpus-per-task; also libtorch's threads). Default 1.")]
    public int CpusPerUnit { get; init; } = 1;

    [CommandOption("--mem <M>")] [Description("Memory per unit in Slurm's syntax, e.g. 4G.")]
    public string? Mem { get; init; }

    [CommandOption("--time <T>")] [Description("Per-unit time limit: auto (from the dry-run FLOP estimate × 3 + 10 min) or HH:MM:SS.")]
    [DefaultValue("auto")]
    public string Time { get; init; } = "auto";

    [CommandOption("--max-parallel <K>")] [Description("At most K units at once (array throttle %K; local: K worker processes).")]
    public int? MaxParallel { get; init; }

    [CommandOption("--account <A>")] public string? Account { get; init; }
    [CommandOption("--qos <Q>")] public string? Qos { get; init; }

    [CommandOption("--fill-cache")] [Description("The prepare job fills the whole teacher-logit cache before the array starts.")]
    public bool FillCache { get; init; }

    [CommandOption("--device <DEVICE>")] [Description("Device for the units (auto | cpu | cuda).")]
    [DefaultValue("auto")]
    public string Device { get; init; } = "auto";

    [CommandOption("--out <DIR>")] [Description("Results root (default: results/ in the repository).")]
    public string? Results { get; init; }

    [CommandOption("--dry-run")] [Description("Print the sbatch scripts; submit nothing.")]
    public bool DryRun { get; init; }

    public override ValidationResult Validate()
    {
        var p = new List<string>();
        if (Executor is not ("slurm" or "local")) p.Add($"--executor: value '{Executor}' must be slurm or local");
        if (GpusPerUnit < 0) p.Add($"--gpus-per-unit: value {GpusPerUnit} must be ≥ 0");
        if (CpusPerUnit < 1) p.Add($"--cpus-per-unit: value {CpusPerUnit} must be ≥ 1");
        if (MaxParallel is < 1) p.Add($"--max-parallel: value {MaxParallel} must be ≥ 1");
        if (Time != "auto" && SlurmScripts.ParseTime(Time) is null) p.Add($"--time: value '{Time}' must be auto or HH:MM:SS (also D-HH:MM:SS, MM:SS, minutes)");
        if (Mem is not null && !System.Text.RegularExpressions.Regex.IsMatch(Mem, "^[0-9]+[KMGT]?$")) p.Add($"--mem: value '{Mem}' must be a number with an optional K/M/G/T suffix, e.g. 4G");
        if (Device is not ("auto" or "cpu" or "cuda") && !Device.StartsWith("cuda:", StringComparison.Ordinal)) p.Add($"--device: value '{Device}' must be auto, cpu, cuda or cuda:N");
        return p.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join("; ", p));
    }
}

[Description("Submit a sweep: Slurm job arrays (prepare → one array task per unit → finalize), or local worker processes.")]
public sealed class SubmitCommand : Command<SubmitSettings>
{
    public override int Execute(CommandContext context, SubmitSettings settings, CancellationToken cancellation)
    {
        var configPath = RepositoryPaths.ResolveInput(settings.Config);
        var (config, _) = RunCommand.LoadConfig(configPath);
        var resultsRoot = settings.Results is null ? RepositoryPaths.Resolve("results") : RepositoryPaths.Resolve(settings.Results);
        if (settings.Executor == "local")
            return RunCommand.RunLocal(config, configPath, resultsRoot, settings.MaxParallel ?? 1, settings.CpusPerUnit, settings.Device, cancellation);
        var run = new ExperimentRun(config, new SweepOptions { Device = TorchSharp.torch.CPU, RepositoryRoot = RepositoryPaths.Root, ResultsRoot = resultsRoot });
        var runDir = run.RunDirectory;

        var planned = run.PlanSlurm(new SlurmSubmitOptions
        {
            Partition = settings.Partition, GpusPerUnit = settings.GpusPerUnit, CpusPerUnit = settings.CpusPerUnit, Mem = settings.Mem,
            UnitTime = settings.Time == "auto" ? null : SlurmScripts.ParseTime(settings.Time)!.Value, MaxParallel = settings.MaxParallel,
            Account = settings.Account, Qos = settings.Qos, FillCache = settings.FillCache, Device = settings.Device,
        }, HarnessProcess.CommandPrefix(), configPath, resultsRoot, RepositoryPaths.Root);
        var result = SlurmSubmitter.Submit(planned.Request, SlurmCommands.Instance, settings.DryRun);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(planned.TimeNote)}[/]");
        if (planned.UnitsDone + result.SkippedActive.Count > 0)
            AnsiConsole.MarkupLine($"not resubmitted: {planned.UnitsDone} of {planned.UnitCount} units done" +
                (result.SkippedActive.Count > 0 ? $", {result.SkippedActive.Count} queued or running ({Markup.Escape(SlurmScripts.ArraySpec(result.SkippedActive, null))})" : ""));
        if (settings.DryRun)
        {
            foreach (var (file, text) in new[] { ("prepare.sbatch", result.PrepareScript), ("units.sbatch", result.UnitsScript), ("finalize.sbatch", result.FinalizeScript) })
            {
                AnsiConsole.MarkupLine($"[bold]── {file}[/]");
                Console.Write(text);
            }
            AnsiConsole.MarkupLine($"[yellow]dry run[/]: nothing submitted ({result.Submitted.Count} units would be).");
            return 0;
        }
        var s = result.Submission!;
        AnsiConsole.MarkupLine($"[green]submitted[/] {result.Submitted.Count} units: prepare {s.PrepareJob}, array {s.UnitsJob} [[{Markup.Escape(s.ArraySpec)}]], finalize {s.FinalizeJob}");
        AnsiConsole.MarkupLine($"scripts: {Markup.Escape(s.ScriptDirectory)}");
        AnsiConsole.MarkupLine($"follow: harness status {Markup.Escape(runDir)}   stop: harness cancel {Markup.Escape(runDir)}");
        return 0;
    }
}
