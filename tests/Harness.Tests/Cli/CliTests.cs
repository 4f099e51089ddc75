using Harness.Cli;

namespace Harness.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Validate_returns_2_for_a_bad_config_and_0_for_the_shipped_ones()
    {
        using var tmp = new TempDirectory();
        var bad = Path.Combine(tmp.Path, "bad.json");
        File.WriteAllText(bad, """{ "name": "x", "model": { "preset": "nope" }, "training": { "max_steps": -1, "lr": 3 }, "output": "" }""");
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["validate", bad]));
        var root = RepositoryRoot();
        foreach (var config in Directory.GetFiles(Path.Combine(root, "experiments"), "*.json"))
            Assert.Equal(0, HarnessApp.Run(["validate", config]));
    }

    [Fact]
    public void Missing_config_file_is_a_user_error_not_a_crash()
    {
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["train", "/nonexistent/config.json"]));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["run", "--shard", "3/2", "/nonexistent/x.json"]));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new InvalidOperationException("Harness.sln not found above the test assembly");
    }
}
