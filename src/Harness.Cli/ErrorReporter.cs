using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli;

/// <summary>Turns exceptions into messages: user errors get every problem listed and exit 2, never a stack trace.</summary>
public static class ErrorReporter
{
    public static int Report(Exception e)
    {
        switch (e)
        {
            case UserInputException input:
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(input.Summary)}");
                foreach (var problem in input.Problems)
                    AnsiConsole.MarkupLine($"  [red]-[/] {Markup.Escape(problem)}");
                return HarnessApp.InvalidInput;
            case CommandParseException or CommandRuntimeException:
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return HarnessApp.InvalidInput;
            case OperationCanceledException:
                AnsiConsole.MarkupLine("[yellow]cancelled[/]: finished work is saved; run the same command again to resume.");
                return 130;
            default:
                AnsiConsole.MarkupLine($"[red]internal error:[/] {Markup.Escape(e.GetType().Name)}: {Markup.Escape(e.Message)}");
                if (Environment.GetEnvironmentVariable("HARNESS_DEBUG") == "1")
                    AnsiConsole.WriteException(e);
                else
                    AnsiConsole.MarkupLine("[grey]set HARNESS_DEBUG=1 for the stack trace[/]");
                return 1;
        }
    }
}
