using Harness.Cli;
using Spectre.Console.Cli;

return HarnessApp.Run(args);
