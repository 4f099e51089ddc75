using System.Diagnostics;
using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Sweep;

/// <summary>A results folder on a tiny tmpfs (needs root to mount; otherwise the test returns early and says so).</summary>
public class DiskFullTests
{
    const string ConfigJson = """
    {
      "name": "tiny-full",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 } },
      "budgets": [ { "name": "b", "tokens": 3840 } ],
      "methods": ["scratch"],
      "seeds": [1, 2, 3],
      "training": { "batch_size": 8, "eval_interval": 10, "eval_tokens": 512, "checkpoint_interval": 5, "warmup_steps": 2, "log_interval": 1 }
    }
    """;

    static bool Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [Fact]
    public void A_full_disk_names_the_file_and_the_space_and_the_run_resumes_once_space_is_freed()
    {
        var root = TestSupport.TempDirectory();
        var mount = Path.Combine(root, "small");
        Directory.CreateDirectory(mount);
        if (Environment.UserName != "root" || !Sh($"mount -t tmpfs -o size=300k tmpfs '{mount}'"))
        {
            Console.WriteLine("DiskFullTests: skipped (mounting a tmpfs needs root)");
            return;
        }
        try
        {
            var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
            SweepRunner Runner() => new(config, ConfigJson, new SweepOptions { Device = torch.CPU, RepositoryRoot = root, ResultsRoot = mount });
            var e = Assert.Throws<UserInputException>(() => Runner().Run());
            Assert.Contains(mount, e.Summary + string.Join(" ", e.Problems));
            Assert.Contains(e.Problems, p => p.Contains("free") && (p.Contains("needs") || p.Contains("missing")));
            Assert.Empty(Directory.GetFileSystemEntries(mount, "*.tmp", SearchOption.AllDirectories));
            Assert.True(Sh($"mount -o remount,size=20m '{mount}'"));
            var outcome = Runner().Run();
            var rows = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal(RunRowStatus.Ok, r.Status));
            var reference = new SweepRunner(config, ConfigJson, new SweepOptions { Device = torch.CPU, RepositoryRoot = root }).Run();
            Assert.Equal(ResultTables.ReadAll<RunRow>(Path.Combine(reference.Directory, ResultSchema.RunsFile)).Select(r => (r.UnitKey, r.ValLoss)),
                         rows.Select(r => (r.UnitKey, r.ValLoss)));
        }
        finally
        {
            Sh($"umount '{mount}'");
        }
    }
}
