using System.Diagnostics;
using System.Text;
using Harness.Config;
using Harness.Modeling;
using Harness.Sweep;
using Harness.Tests.Sweep.Execution;

namespace Harness.Tests.Cli;

/// <summary>
/// Issue 24 point 9, as a user meets it: the tool is packed (<c>dotnet pack</c>), installed (<c>dotnet tool install</c>)
/// and started in an empty folder with no clone anywhere near.  <c>harness run --dry-run</c> there must plan the same
/// quickstart as the clone (same results folder), with the tool's own teacher put in place, so <c>harness run</c> runs
/// its main job outside a clone.  A full run takes minutes; the dry run goes through everything a run does before the
/// first unit (config, teacher materialisation, data preparation, the teacher check and the plan).
/// </summary>
public class PackedToolTests
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    [Fact]
    public void The_packed_and_installed_tool_plans_the_embedded_quickstart_from_an_empty_folder()
    {
        var repo = CliTests.RepositoryRoot();
        using var work = new TempDirectory();
        string nupkg = Path.Combine(work.Path, "nupkg"), tool = Path.Combine(work.Path, "tool"), empty = Path.Combine(work.Path, "empty");
        Directory.CreateDirectory(empty);
        // The test build has already built the CLI in this configuration: pack exactly that build.
        Expect(0, Run(WorkerRoot.Dotnet, ["pack", Path.Combine(repo, "src", "Harness.Cli"), "-c", Configuration, "--no-build", "-o", nupkg], repo, work.Path));
        // Install into a private tool path and a private package cache, so an earlier install of the same version can't stand in.
        Expect(0, Run(WorkerRoot.Dotnet, ["tool", "install", "Harness.Cli", "--tool-path", tool, "--add-source", nupkg], work.Path, work.Path));

        var (code, output) = Run(Path.Combine(tool, "harness"), ["run", "--dry-run"], empty, work.Path, timeoutSeconds: 900);
        Expect(0, (code, output));
        Assert.Contains("placed the tool's teacher-tiny at", output);
        var quickstart = JsonConfigReader.ReadFile<ExperimentConfig>(Path.Combine(repo, "experiments", "quickstart.json"));
        Assert.Contains(Path.Combine("results", "quickstart", SweepPlan.Hash(quickstart with { Tracking = null, Run = null })), output);
        Assert.Equal(Checkpoint.Hash(Path.Combine(repo, "models", "teacher-tiny")), Checkpoint.Hash(Path.Combine(empty, "models", "teacher-tiny")));
        Assert.False(File.Exists(Path.Combine(empty, "Harness.sln")));   // no clone was made: the tool works where it stands
    }

    static void Expect(int code, (int Code, string Output) result) =>
        Assert.True(result.Code == code, $"exit {result.Code} (expected {code}):\n{result.Output}");

    static (int Code, string Output) Run(string file, string[] args, string workingDirectory, string scratch, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(scratch, "packages");
        psi.Environment.Remove("HARNESS_DLL");
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s:\n{output}");
        }
        p.WaitForExit();
        return (p.ExitCode, output.ToString());
    }
}
