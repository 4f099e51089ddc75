using System.ComponentModel;
using Harness.Config;
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
