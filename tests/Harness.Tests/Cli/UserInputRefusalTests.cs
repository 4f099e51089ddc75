using System.Diagnostics;
using Harness.Cli;
using Harness.Estimation;
using Harness.IO;

namespace Harness.Tests.Cli;

/// <summary>
/// Issue 24 point 4: inputs that ended in "internal error" now end in a clear refusal (exit 2), before any work.
/// A folder that cannot be written is made with /sys, which even root cannot write (the suite may run as root, where
/// chmod does not stop a write).
/// </summary>
public class UserInputRefusalTests
{
    const string Unwritable = "/sys/harness-no-such-folder/out";

    static bool SysIsReadOnly()
    {
        try { Directory.CreateDirectory("/sys/harness-no-such-folder"); Directory.Delete("/sys/harness-no-such-folder"); return false; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return true; }
    }

    [Fact]
    public void WritableFolder_refuses_a_folder_it_cannot_write_and_leaves_a_writable_one_untouched()
    {
        Assert.True(SysIsReadOnly(), "/sys must be read-only for this test");
        var e = Assert.Throws<UserInputException>(() => WritableFolder.Require(Unwritable, "--out"));
        Assert.Contains("cannot be written", e.Summary);
        Assert.Contains("/sys", Assert.Single(e.Problems));
        using var tmp = new TempDirectory();
        WritableFolder.Require(tmp.File("a/b"), "--out");
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
        File.WriteAllText(tmp.File("file"), "x");
        Assert.Contains("is a file", Assert.Throws<UserInputException>(() => WritableFolder.Require(tmp.File("file/sub"), "--out")).Problems[0]);
    }

    [Fact]
    public void Estimate_into_an_unwritable_folder_is_refused_before_computing()
    {
        using var tmp = new TempDirectory();
        new SyntheticGrid().Write(tmp.Path, dataSeed: 1);
        var clock = Stopwatch.StartNew();
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", tmp.Path, "--out", Unwritable, "--replicates", "2000"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refused after {clock.Elapsed.TotalSeconds:F1} s, so after computing");
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["report", tmp.Path, "--out", Unwritable]));
    }

    [Fact]
    public void Run_into_an_unwritable_results_root_is_refused_before_preparing_data()
    {
        using var tmp = new TempDirectory();
        var config = tmp.File("tiny.json");
        File.WriteAllText(config, new TinyExperiment { Name = "tiny-readonly" }.Json);
        foreach (var extra in new[] { Array.Empty<string>(), ["--force-report"], ["--jobs", "2"] })
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["run", config, "--out", Unwritable, .. extra]));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refused after {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    [Fact]
    public void Dry_run_with_a_missing_teacher_and_no_train_config_says_so()
    {
        using var tmp = new TempDirectory();
        var config = tmp.File("tiny.json");
        File.WriteAllText(config, new TinyExperiment { Name = "tiny-noteacher", Methods = "\"scratch\", \"logit-kd\"" }.Json
            .Replace("\"students\"", $"\"teacher\": {{ \"checkpoint\": \"{tmp.File("missing-teacher")}\" }},\n  \"students\"", StringComparison.Ordinal));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["run", config, "--dry-run", "--out", tmp.File("results")]));
    }

    [Theory]
    [InlineData("""{ "_name_or_path": "gpt2", "n_embd": 768, "n_layer": 12 }""", "key '_name_or_path'")]
    [InlineData("""{ "format_version": 1 }""", "required field is missing")]
    [InlineData("""{ "model": 3 }""", "expected type")]
    public void Eval_of_a_folder_with_a_foreign_config_json_names_what_it_is_not(string json, string why)
    {
        using var tmp = new TempDirectory();
        File.WriteAllText(tmp.File("config.json"), json);
        var e = Assert.Throws<UserInputException>(() => Harness.Modeling.Checkpoint.ReadInfo(tmp.Path));
        Assert.Contains("not a harness checkpoint config", e.Summary);
        Assert.Contains(why, Assert.Single(e.Problems));
        Assert.DoesNotContain(".NET", e.Problems[0]);
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["eval", tmp.Path, "--max-items", "1"]));
    }

    [Fact]
    public void A_hugging_face_folder_is_not_read_as_a_harness_checkpoint_and_eval_without_weights_is_refused()
    {
        using var tmp = new TempDirectory();
        File.WriteAllText(tmp.File("config.json"), """{ "architectures": ["GPT2LMHeadModel"], "n_embd": 768, "n_layer": 12 }""");
        var e = Assert.Throws<UserInputException>(() => Harness.Modeling.Checkpoint.ReadInfo(tmp.Path));
        Assert.Contains("a Hugging Face model folder, not a harness checkpoint", e.Summary);
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["eval", tmp.Path, "--max-items", "1"]));
    }
}
