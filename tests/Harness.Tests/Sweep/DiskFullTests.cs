using System.Diagnostics;
using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Sweep;

/// <summary>A fact that is skipped, with the reason, unless this process can mount (and unmount) a tmpfs: root, and a kernel that lets it.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Environment.UserName != "root") { Skip = "mounting a tmpfs needs root: run the tests as root (as .ci/run does) to include this check"; return; }
        using var probe = new TempDirectory();
        if (!DiskFullTests.Sh($"mount -t tmpfs -o size=64k tmpfs '{probe.Path}'"))
            Skip = "`mount -t tmpfs` failed (a container without CAP_SYS_ADMIN?): this check needs a mountable tmpfs";
        else
            DiskFullTests.Sh($"umount '{probe.Path}'");
    }
}

/// <summary>A results folder on a tiny tmpfs (needs root to mount; otherwise the test is skipped and says why).</summary>
public class DiskFullTests
{
    static readonly string ConfigJson = new TinyExperiment { Name = "tiny-full", Seeds = "1, 2, 3" }.Json;

    internal static bool Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [TmpfsFact]
    public void A_full_disk_names_the_file_and_the_space_and_the_run_resumes_once_space_is_freed()
    {
        using var tmp = new TempDirectory();
        var root = tmp.Path;
        var mount = Path.Combine(root, "small");
        Directory.CreateDirectory(mount);
        Assert.True(Sh($"mount -t tmpfs -o size=300k tmpfs '{mount}'"), $"mount -t tmpfs at {mount} failed (the probe in TmpfsFact succeeded)");
        try
        {
            var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
            SweepRunner Runner() => new(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root, ResultsRoot = mount });
            var e = Assert.Throws<UserInputException>(() => Runner().Run());
            Assert.Contains(mount, e.Summary + string.Join(" ", e.Problems));
            Assert.Contains(e.Problems, p => p.Contains("free") && (p.Contains("needs") || p.Contains("missing")));
            Assert.Empty(Directory.GetFileSystemEntries(mount, "*.tmp", SearchOption.AllDirectories));
            Assert.True(Sh($"mount -o remount,size=20m '{mount}'"));
            var outcome = Runner().Run();
            var rows = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal(RunRowStatus.Ok, r.Status));
            var reference = new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root }).Run();
            Assert.Equal(ResultTables.ReadAll<RunRow>(Path.Combine(reference.Directory, ResultSchema.RunsFile)).Select(r => (r.UnitKey, r.ValLoss)),
                         rows.Select(r => (r.UnitKey, r.ValLoss)));
        }
        finally
        {
            Sh($"umount '{mount}'");
        }
    }
}
