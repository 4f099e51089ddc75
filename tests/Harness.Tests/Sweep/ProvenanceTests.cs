using Harness.Sweep;

namespace Harness.Tests.Sweep;

public class ProvenanceTests
{
    const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void Git_commit_is_read_from_head_a_loose_ref_or_packed_refs()
    {
        using var tmp = new TempDirectory();
        Assert.Equal("unknown", Provenance.GitCommit(tmp.Path));   // no repository
        var git = Directory.CreateDirectory(Path.Combine(tmp.Path, ".git")).FullName;

        File.WriteAllText(Path.Combine(git, "HEAD"), Commit + "\n");   // detached
        Assert.Equal(Commit, Provenance.GitCommit(tmp.Path));

        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(git, "packed-refs"), $"# pack-refs with: peeled fully-peeled sorted\n{Commit} refs/heads/main\n");
        Assert.Equal(Commit, Provenance.GitCommit(tmp.Path));

        Directory.CreateDirectory(Path.Combine(git, "refs", "heads"));
        File.WriteAllText(Path.Combine(git, "refs", "heads", "main"), "fedcba9876543210fedcba9876543210fedcba98\n");
        Assert.Equal("fedcba9876543210fedcba9876543210fedcba98", Provenance.GitCommit(tmp.Path));

        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/gone\n");
        Assert.Equal("unknown", Provenance.GitCommit(tmp.Path));
    }
}
