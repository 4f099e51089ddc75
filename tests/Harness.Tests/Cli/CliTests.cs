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
        {
            // The GPU configs train on FineWeb-Edu shards fetched into data/fineweb-edu/ (README "Bring your own corpus");
            // without them validate must refuse and say what is missing.
            bool needsFineWeb = File.ReadAllText(config).Contains("data/fineweb-edu/", StringComparison.Ordinal);
            bool fetched = Directory.Exists(Path.Combine(root, "data", "fineweb-edu")) && Directory.EnumerateFiles(Path.Combine(root, "data", "fineweb-edu"), "*.parquet", SearchOption.AllDirectories).Any();
            Assert.Equal(needsFineWeb && !fetched ? HarnessApp.InvalidInput : 0, HarnessApp.Run(["validate", config]));
        }
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

public class StrictCliTests
{
    [Theory]
    [InlineData("run", "--dryrun")]
    [InlineData("run", "--dry_run")]
    [InlineData("run", "-n")]
    [InlineData("train", "--dry-run")]
    [InlineData("eval", "--task")]
    [InlineData("validate", "--foo")]
    public void Unknown_options_are_rejected_before_anything_runs(string command, string option)
    {
        var outRoot = Path.Combine(TestSupport.TempDirectory(), "results");
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run([command, "experiments/quickstart.json", option, "--out", outRoot]));
        Assert.False(Directory.Exists(outRoot));
    }

    [Fact]
    public void Unknown_options_and_commands_get_a_suggestion_and_the_valid_list()
    {
        var problem = Assert.Single(ArgumentChecker.Check(["run", "--dryrun"], HarnessApp.Commands));
        Assert.Contains("did you mean '--dry-run'?", problem);
        Assert.Contains("--force-report", problem);
        Assert.Contains("did you mean '--tasks'?", Assert.Single(ArgumentChecker.Check(["eval", "m", "--task", "grammar"], HarnessApp.Commands)));
        var command = Assert.Single(ArgumentChecker.Check(["evl", "x"], HarnessApp.Commands));
        Assert.Contains("did you mean 'eval'?", command);
        Assert.Contains("fit-scaling", command);
        Assert.Contains("now --out", Assert.Single(ArgumentChecker.Check(["run", "--results", "x"], HarnessApp.Commands)));
        Assert.Contains("--format json", Assert.Single(ArgumentChecker.Check(["fit-scaling", "f.csv", "--json"], HarnessApp.Commands)));
        Assert.Empty(ArgumentChecker.Check(["run", "--dry-run", "--set", "training.learning_rate=-1", "--only=seed1"], HarnessApp.Commands));
        Assert.Equal(2, ArgumentChecker.Check(["compare", "a", "b", "--detial", "--lables", "x,y"], HarnessApp.Commands).Count);
    }

    [Fact]
    public void Version_and_help_for_a_command_succeed()
    {
        Assert.Equal(0, HarnessApp.Run(["--version"]));
        Assert.Contains("TorchSharp 0.107", HarnessApp.VersionText());
        Assert.Contains("libtorch 2.", HarnessApp.VersionText());
        Assert.Equal(0, HarnessApp.Run(["help", "run"]));
        Assert.Equal(0, HarnessApp.Run(["help"]));
    }

    [Fact]
    public void Set_overrides_are_validated_like_the_file()
    {
        var root = CliTests.RepositoryRoot();
        var json = File.ReadAllText(Path.Combine(root, "experiments", "quickstart.json"));
        var changed = Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>(
            Harness.Config.ConfigOverrides.Apply(json, ["training.learning_rate=1e-3", "seeds=[7]", "kd.divergence=reverse-kl"], "q"), "q");
        Assert.Equal(1e-3, changed.Training.LearningRate);
        Assert.Equal([7], changed.Seeds);
        Assert.Equal("reverse-kl", changed.Kd.Divergence);
        var e = Assert.Throws<UserInputException>(() => Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>(
            Harness.Config.ConfigOverrides.Apply(json, ["training.learnig_rate=1e-3", "training.batch_size=-4"], "q"), "q"));
        Assert.Contains(e.Problems, p => p.Contains("$.training.learnig_rate: unknown key"));
        Assert.Contains(e.Problems, p => p.Contains("batch_size"));
        Assert.Throws<UserInputException>(() => Harness.Config.ConfigOverrides.Apply(json, ["no-equals-sign"], "q"));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["validate", "--set", "x=1", Path.Combine(root, "experiments", "quickstart.json")]));
    }
}
