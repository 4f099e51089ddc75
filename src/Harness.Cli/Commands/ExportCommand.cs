using System.ComponentModel;
using Harness.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class ExportSettings : CommandSettings
{
    [CommandArgument(0, "<MODEL>")]
    [Description("A checkpoint folder written by the harness.")]
    public string Model { get; init; } = "";

    [CommandOption("--format <FORMAT>")]
    [Description("hf: a Hugging Face transformers GPT2LMHeadModel folder (model.safetensors, config.json, tokenizer).")]
    public string Format { get; init; } = "hf";

    [CommandOption("--out <DIR>")]
    [Description("Folder to write (required; must not already hold a model).")]
    public string? Out { get; init; }
}

[Description("Export a checkpoint for other tools: --format hf writes a transformers GPT2LMHeadModel folder.")]
public sealed class ExportCommand : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellation)
    {
        var problems = new List<string>();
        if (settings.Format != "hf") problems.Add($"--format: value '{settings.Format}' is not an export format; use hf.");
        if (settings.Out is null) problems.Add("--out: required, e.g. --out exports/teacher-tiny-hf.");
        else if (File.Exists(Path.Combine(RepositoryPaths.Resolve(settings.Out), "model.safetensors")))
            problems.Add($"--out: {RepositoryPaths.Resolve(settings.Out)} already holds a model.safetensors; choose a new folder.");
        if (problems.Count > 0) throw new UserInputException("invalid export options; nothing was written.", problems);
        var files = HuggingFaceExport.Write(RepositoryPaths.ResolveInput(settings.Model), RepositoryPaths.Resolve(settings.Out!));
        foreach (var f in files) AnsiConsole.MarkupLine($"wrote {Markup.Escape(f)}");
        var architecture = HuggingFaceConfig.Read(RepositoryPaths.Resolve(settings.Out!)).Architecture;
        AnsiConsole.MarkupLine($"[grey]load with: transformers.{architecture}.from_pretrained(DIR) (tokenizer: see README \"Checkpoints\")[/]");
        return 0;
    }
}
