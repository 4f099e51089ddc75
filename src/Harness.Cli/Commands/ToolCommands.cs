using System.ComponentModel;
using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.IO;

namespace Harness.Cli.Commands;

public sealed class SchemaSettings : CommandSettings
{
    [CommandArgument(0, "[KIND]")]
    [Description("experiment (default) or train: which schema to print when --out is not given.")]
    public string Kind { get; init; } = "experiment";

    [CommandOption("--out <DIR>")]
    [Description("Write experiment.schema.json and train.schema.json into DIR (the shipped ones live in experiments/schema/).")]
    public string? Out { get; init; }
}

[Description("JSON Schema of the config files, generated from the config records (editor completion; configs reference it with \"$schema\").")]
public sealed class SchemaCommand : Command<SchemaSettings>
{
    public override int Execute(CommandContext context, SchemaSettings settings, CancellationToken cancellation)
    {
        if (settings.Out is { } dir)
        {
            var full = RepositoryPaths.Resolve(dir);
            Directory.CreateDirectory(full);
            foreach (var (file, type) in ConfigSchema.Shipped)
            {
                AtomicFile.WriteAllText(Path.Combine(full, file), ConfigSchema.Generate(type));
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.Combine(full, file))}");
            }
            return 0;
        }
        var match = ConfigSchema.Shipped.FirstOrDefault(kv => kv.Key.StartsWith(settings.Kind + ".", StringComparison.Ordinal));
        if (match.Value is null)
            throw new UserInputException($"schema: kind '{settings.Kind}' is not known.", ["KIND: use experiment or train."]);
        Console.Out.Write(ConfigSchema.Generate(match.Value));
        return 0;
    }
}

public sealed class SampleSettings : TorchSettings
{
    [CommandArgument(0, "<MODEL>")]
    [Description("A checkpoint folder (config.json + model.safetensors + tokenizer), e.g. models/teacher-tiny or RUN/units/KEY/model.")]
    public string Model { get; init; } = "";

    [CommandOption("--prompt <TEXT>")]
    [Description("Text to continue (default: empty prompt is not allowed).")]
    public string? Prompt { get; init; }

    [CommandOption("--max-tokens <N>")]
    [Description("Tokens to generate (default 64).")]
    public int MaxTokens { get; init; } = 64;

    [CommandOption("--temperature <T>")]
    [Description("Softmax temperature; 0 = greedy (default 0.8).")]
    public double Temperature { get; init; } = 0.8;

    [CommandOption("--top-k <K>")]
    [Description("Sample among the K most likely tokens; 0 = all (default 40).")]
    public int TopK { get; init; } = 40;

    [CommandOption("--seed <S>")]
    [Description("Sampling seed (default 0).")]
    public int Seed { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (default: the text) or json ({prompt, completion, tokens, ...}).")]
    public string? Format { get; init; }
}

[Description("Generate text from a checkpoint: harness sample MODEL --prompt \"...\".")]
public sealed class SampleCommand : Command<SampleSettings>
{
    public override int Execute(CommandContext context, SampleSettings settings, CancellationToken cancellation)
    {
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        var problems = new List<string>();
        if (string.IsNullOrEmpty(settings.Prompt)) problems.Add("--prompt: give the text to continue, e.g. --prompt \"The president said\".");
        if (settings.MaxTokens < 1) problems.Add($"--max-tokens: value {settings.MaxTokens} must be a positive integer.");
        if (settings.Temperature < 0 || double.IsNaN(settings.Temperature)) problems.Add($"--temperature: value {settings.Temperature} must be ≥ 0.");
        if (settings.TopK < 0) problems.Add($"--top-k: value {settings.TopK} must be ≥ 0.");
        if (problems.Count > 0) throw new UserInputException("invalid sample options.", problems);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var dir = RepositoryPaths.ResolveInput(settings.Model);
        var info = Checkpoint.ReadInfo(dir);
        var tokenizer = TokenizerLoader.Load(Path.Combine(dir, info.TokenizerFile ?? TokenizerLoader.DescriptorFileName));
        var (model, _) = Checkpoint.Load(dir, device);
        using (model)
        {
            var prompt = tokenizer.EncodeToIds(settings.Prompt!).ToList();
            var ids = TextSampler.Continue(model, prompt, settings.MaxTokens, settings.Temperature, settings.TopK, settings.Seed);
            var completion = tokenizer.Decode(ids) ?? "";
            if (format == OutputFormat.Json)
                Output.WriteJson(new { Model = dir, settings.Prompt, Completion = completion, PromptTokens = prompt.Count, NewTokens = ids.Length, settings.Temperature, settings.TopK, settings.Seed });
            else
            {
                AnsiConsole.Markup($"[bold]{Markup.Escape(settings.Prompt!)}[/]");
                AnsiConsole.WriteLine(completion);
            }
        }
        return 0;
    }
}

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
        AnsiConsole.MarkupLine("[grey]load with: transformers.GPT2LMHeadModel.from_pretrained(DIR) (tokenizer: see README \"Checkpoints\")[/]");
        return 0;
    }
}
