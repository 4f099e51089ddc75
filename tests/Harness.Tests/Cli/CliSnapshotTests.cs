using Harness.Cli;
using Harness.Estimation;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;

namespace Harness.Tests.Cli;

/// <summary>
/// What `harness` prints, snapshotted (<see cref="CliSnapshot"/>; update with <c>HARNESS_UPDATE_SNAPSHOTS=1</c>): the help
/// of every command, representative errors, and the tables of estimate, compare and status as a log shows them.
/// </summary>
public class CliSnapshotTests
{
    /// <summary>Every command of <see cref="HarnessApp.Commands"/> (the data branch as its two commands) and the top level.</summary>
    static readonly string[] HelpCommandLines =
        ["", .. HarnessApp.Commands.Keys.Where(k => k != "data").Order(StringComparer.Ordinal), "data prepare", "data inspect"];

    public static TheoryData<string> HelpCommands() => new(HelpCommandLines);

    [Theory]
    [MemberData(nameof(HelpCommands))]
    public void Help_of_every_command(string command)
    {
        var (exit, text) = CliSnapshot.Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.Equal(0, exit);
        CliSnapshot.Match("help-" + (command.Length == 0 ? "harness" : command.Replace(' ', '-')), text);
    }

    [Fact]
    public void Every_command_has_a_help_snapshot_test()
    {
        var tested = HelpCommandLines.Select(line => line.Split(' ')[0]).ToHashSet();
        Assert.DoesNotContain(HarnessApp.Commands.Keys, k => !tested.Contains(k));
    }

    [Theory]
    [InlineData("error-unknown-option", "run --dryrun")]
    [InlineData("error-unknown-command", "evl results/x")]
    [InlineData("error-renamed-option", "run --results out")]
    [InlineData("error-missing-config", "validate /nonexistent/experiment.json")]
    [InlineData("error-missing-results-folder", "estimate /nonexistent/results")]
    [InlineData("error-bad-format", "fit-scaling /nonexistent/x.csv --format yaml --params-col n --tokens-col d --loss-col l")]
    public void Errors_list_every_problem_and_exit_2(string name, string commandLine)
    {
        var (exit, text) = CliSnapshot.Run(commandLine.Split(' '));
        Assert.Equal(HarnessApp.InvalidInput, exit);
        Assert.DoesNotContain("   at ", text);    // never a stack trace
        CliSnapshot.Match(name, text);
    }

    [Fact]
    public void An_unknown_config_key_is_named_with_its_json_path()
    {
        using var tmp = new TempDirectory();
        var config = Path.Combine(tmp.Path, "experiment.json");
        File.WriteAllText(config, new TinyExperiment().Json.Replace("\"seeds\"", "\"seedz\": [1],\n  \"seeds\"", StringComparison.Ordinal)
                                                          .Replace("\"batch_size\"", "\"batch_sise\": 8, \"batch_size\"", StringComparison.Ordinal));
        var (exit, text) = CliSnapshot.Run(["validate", config], tmp.Path);
        Assert.Equal(HarnessApp.InvalidInput, exit);
        Assert.Contains("seedz", text);
        Assert.Contains("batch_sise", text);
        CliSnapshot.Match("error-unknown-config-key", text);
    }

    [Fact]
    public void Estimate_prints_the_multiplier_table_within_120_columns_in_a_log()
    {
        using var tmp = new TempDirectory();
        var results = Path.Combine(tmp.Path, "run");
        new SyntheticGrid { Gain = 1.5, Seeds = 2, Checkpoints = 1 }.Write(results, dataSeed: 3);
        var (exit, text) = CliSnapshot.Run(["estimate", results, "--metric", "val_loss", "--replicates", "20", "--out", Path.Combine(tmp.Path, "est")], tmp.Path);
        Assert.True(exit == 0, text);
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= Output.LogWidth, $"{l.Length} columns: {l}"));
        Assert.Contains(lines, l => l.StartsWith("logit-kd · val_loss · frontier", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("amortised:10", StringComparison.Ordinal));
        CliSnapshot.Match("table-estimate", text);
    }

    [Fact]
    public void Compare_prints_the_comparability_check_and_the_metric_table()
    {
        using var tmp = new TempDirectory();
        string[] runs = [Path.Combine(tmp.Path, "a"), Path.Combine(tmp.Path, "b")];
        for (int i = 0; i < runs.Length; i++)
        {
            new SyntheticGrid { Gain = 1.2 + 0.3 * i, Seeds = 2, Checkpoints = 1 }.Write(runs[i], dataSeed: 5 + i);
            RunManifestFile.Write(runs[i], new RunManifest { Experiment = "grid", ConfigHash = "0123456789ab", GitCommit = "abc", Device = "cpu", Threads = 2 });
        }
        var (exit, text) = CliSnapshot.Run(["compare", runs[0], runs[1], "--labels", "a,b"], tmp.Path);
        Assert.True(exit == 0, text);
        CliSnapshot.Match("table-compare", text);
    }

    [Fact]
    public void Status_prints_one_line_per_unit()
    {
        using var tmp = new TempDirectory();
        var plan = Enumerable.Range(0, 4).Select(i => new SweepUnit($"key{i}", i, "s", TestSupport.TinyModel(), "b", 1000, "scratch", i)).ToList();
        RunPlan.Write(tmp.Path, plan);
        var folder = new RunFolder(tmp.Path);
        folder.WriteUnit(new RunRow { UnitKey = "key0", Status = RunRowStatus.Ok, ValLoss = 2.5, TokensPerSecond = 1000 }, [], []);
        folder.WriteUnit(new RunRow { UnitKey = "key1", Status = RunRowStatus.Failed, FailureReason = "training loss became NaN at step 3" }, [], []);
        var (exit, text) = CliSnapshot.Run(["status", tmp.Path], tmp.Path);
        Assert.Equal(0, exit);
        CliSnapshot.Match("table-status", text);
    }
}
