using Harness.Config;
using Harness.IO;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Sweep;

/// <summary>
/// Issue 24 point 3: the tables and the manifest are one set, and a rerun never loses a manifest field: not after a
/// rerun that trains nothing (teacher_logit_cache, compute, finished_utc), not after a --force-report that the disk
/// refuses.
/// </summary>
public class ManifestSetTests
{
    static readonly string ConfigJson = new TinyExperiment { Name = "tiny-manifest", Seeds = "1" }.Json;

    static SweepRunner Runner(string root, string results, bool forceReport = false) =>
        new(JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test"),
            new SweepOptions { Device = torch.CPU, RepositoryRoot = root, ResultsRoot = results, ForceReport = forceReport });

    /// <summary>A finished run whose manifest also records a logit cache, as if an earlier process had filled one.</summary>
    static RunManifest FinishedRun(string root, string results, out string dir)
    {
        var outcome = Runner(root, results).Run();
        dir = outcome.Directory;
        var manifest = RunManifestFile.Read(dir)!;
        Assert.NotNull(manifest.Compute);
        Assert.NotNull(manifest.FinishedUtc);
        // Versions come from the libraries themselves, the FLOP formula from where it is computed.
        Assert.Equal(Version.Parse(torch.__version__).ToString(3), manifest.Versions!.Libtorch);
        Assert.Matches(@"^\d+\.\d+\.\d+$", manifest.Versions.Libtorch);
        Assert.Equal(Harness.Modeling.ModelMath.Formula, manifest.FlopFormula);
        manifest = manifest with { TeacherLogitCache = new TeacherLogitCacheSummary { TopK = 8, BytesPerToken = 48, WindowsFilled = 3, WindowsTotal = 3, BuildFlopsThisProcess = 1e9 } };
        RunManifestFile.Write(dir, manifest);
        return manifest;
    }

    [Fact]
    public void A_rerun_that_trains_nothing_keeps_every_manifest_field()
    {
        using var tmp = new TempDirectory();
        var before = FinishedRun(tmp.Path, tmp.File("results"), out var dir);
        var outcome = Runner(tmp.Path, tmp.File("results"), forceReport: true).Run();
        Assert.Equal(0, outcome.Ran);
        var after = RunManifestFile.Read(dir)!;
        Assert.Equal(before.TeacherLogitCache, after.TeacherLogitCache);
        Assert.Equal(before.Compute, after.Compute);
        Assert.NotNull(after.FinishedUtc);
        Assert.Equal(before.StartedUtc, after.StartedUtc);
    }

    [TmpfsFact]
    public void A_force_report_the_disk_refuses_leaves_tables_and_manifest_as_they_were()
    {
        using var tmp = new TempDirectory();
        var mount = tmp.File("small");
        Directory.CreateDirectory(mount);
        Assert.True(DiskFullTests.Sh($"mount -t tmpfs -o size=20m tmpfs '{mount}'"));
        try
        {
            var before = FinishedRun(tmp.Path, mount, out var dir);
            var runsBefore = File.ReadAllBytes(Path.Combine(dir, ResultSchema.RunsFile));
            // Fill the filesystem up to a few KiB (fewer than the tables and manifest need together).
            using (var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.CreateNew))
            {
                var chunk = new byte[4096];
                while (DiskSpace.Free(mount) > 12 * 1024) filler.Write(chunk);
            }
            var e = Assert.Throws<UserInputException>(() => Runner(tmp.Path, mount, forceReport: true).Run());
            Assert.Contains("free", e.Message);
            var after = RunManifestFile.Read(dir)!;
            Assert.Equal(before.Compute, after.Compute);
            Assert.Equal(before.TeacherLogitCache, after.TeacherLogitCache);
            Assert.Equal(before.FinishedUtc, after.FinishedUtc);
            Assert.Equal(runsBefore, File.ReadAllBytes(Path.Combine(dir, ResultSchema.RunsFile)));
            Assert.Empty(Directory.GetFileSystemEntries(mount, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            DiskFullTests.Sh($"umount '{mount}'");
        }
    }
}
