using System.ComponentModel;
using Harness.Data;
using Harness.Modeling;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

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
        var tokenizer = ModelFolder.OpenTokenizer(dir).Tokenizer;
        var model = ModelFolder.Load(dir, device);
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
