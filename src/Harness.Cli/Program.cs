using Harness.Cli;

return HarnessApp.Run(args);
