using System.Diagnostics;

namespace Harness.Sweep.Slurm;

public sealed record CommandResult(int ExitCode, string StdOut, string StdErr)
{
    public string FirstError => (StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
                                 ?? StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {ExitCode}");
}

/// <summary>Runs Slurm's client commands; a seam so tests can fake a cluster.</summary>
public interface ISlurmCommands
{
    /// <summary>True when the command is on PATH.</summary>
    bool Has(string command);
    CommandResult Run(string command, params string[] args);
}

/// <summary>The real client commands (sbatch, squeue, sacct, scancel, scontrol, sinfo) from PATH.</summary>
public sealed class SlurmCommands : ISlurmCommands
{
    public static SlurmCommands Instance { get; } = new();

    public bool Has(string command) => Which(command) is not null;

    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists);

    public CommandResult Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(Which(command) ?? command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            return new CommandResult(124, stdout.Result, $"{command} did not answer within 60 s");
        }
        return new CommandResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
