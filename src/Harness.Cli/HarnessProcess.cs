namespace Harness.Cli;

/// <summary>How to start this harness again as a child process or from a batch script: dotnet + harness.dll, absolute.</summary>
public static class HarnessProcess
{
    public static IReadOnlyList<string> CommandPrefix()
    {
        var dll = Environment.GetEnvironmentVariable("HARNESS_DLL") ?? typeof(HarnessApp).Assembly.Location;
        var process = Environment.ProcessPath;
        var dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? process : Harness.Sweep.Slurm.SlurmCommands.Which("dotnet") ?? "dotnet";
        return [dotnet, Path.GetFullPath(dll)];
    }
}
