using System.Diagnostics;
using System.Text.RegularExpressions;
using Harness.Results;

namespace Harness.Tests.Sweep;

/// <summary>
/// Real child `harness run` processes of a tiny config (8 units: 2 sizes × 2 budgets × scratch/logit-KD, a tiny
/// teacher trained by the sweep itself): SIGKILLed at named points via HARNESS_FAULT_INJECT, rerun, and compared with
/// an uninterrupted run; and two processes started at once on one results folder.
/// </summary>
public class KillRerunTests
{
    const string TeacherJson = """
    { "name": "teacher", "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "model": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 32 },
      "training": { "batch_size": 8, "max_steps": 20, "eval_interval": 10, "eval_tokens": 512, "warmup_steps": 2, "seed": 1 },
      "output": "models/teacher" }
    """;

    const string ConfigJson = """
    {
      "name": "tiny-kill",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "teacher": { "checkpoint": "models/teacher", "train_config": "teacher.json" },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 }, "t": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 24 } },
      "budgets": [ { "name": "b", "tokens": 3840 }, { "name": "c", "tokens": 7680 } ],
      "methods": ["scratch", "logit-kd"],
      "kd": { "top_k": 8 },
      "seeds": [1],
      "evaluation": { "tasks": "none" },
      "training": { "batch_size": 8, "eval_interval": 10, "eval_tokens": 512, "checkpoint_interval": 5, "warmup_steps": 2, "log_interval": 1 }
    }
    """;

    /// <param name="wsd">The WSD design instead of cosine runs: per (student, method) one trunk and a cooldown branch per
    /// budget (4 trunks + 8 branches), so a branch depends on a trunk another process may be training.</param>
    static string Root(bool wsd = false)
    {
        var root = TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(root, "teacher.json"), TeacherJson);
        File.WriteAllText(Path.Combine(root, "tiny.json"),
            wsd ? ConfigJson.Replace("\"log_interval\": 1 }", "\"log_interval\": 1, \"schedule\": \"wsd\" }", StringComparison.Ordinal) : ConfigJson);
        return root;
    }

    /// <summary>Units of the run (trunks included): the unit folders that hold a row.</summary>
    static int Units(string results) =>
        Directory.GetDirectories(Path.Combine(RunFolder(results), "units")).Count(d => File.Exists(Path.Combine(d, ResultSchema.UnitRowFile)));

    static Process Start(string root, string results, string? fault)
    {
        var harness = Path.Combine(AppContext.BaseDirectory, "harness.dll");
        var info = new ProcessStartInfo("dotnet", ["exec", harness, "run", "tiny.json", "--threads", "1", "--out", results])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.Environment["HARNESS_FAULT_INJECT"] = fault ?? "";
        info.Environment["COLUMNS"] = "200";
        info.Environment["DOTNET_EnableDiagnostics"] = "0";   // a killed child leaves no diagnostic socket or debug pipes in $TMPDIR
        return Process.Start(info)!;
    }

    static (int Code, string Output) Wait(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException("harness run did not finish in 3 minutes"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    static (int Code, string Output) Run(string root, string results, string? fault = null) => Wait(Start(root, results, fault));

    static string RunFolder(string results) => Directory.GetDirectories(Path.Combine(results, "tiny-kill")).Single();

    /// <summary>runs.csv and curves.csv without timing columns, in file order.</summary>
    static (List<string> Runs, List<string> Curves) Rows(string results)
    {
        var dir = RunFolder(results);
        var runs = ResultTables.ReadAll<RunRow>(Path.Combine(dir, ResultSchema.RunsFile))
            .Select(r => (r with { WallSeconds = 0, TokensPerSecond = 0, EvalSeconds = 0 }).ToString()).ToList();
        var curves = ResultTables.ReadAll<CurveRow>(Path.Combine(dir, ResultSchema.CurvesFile)).Select(r => r.ToString()).ToList();
        return (runs, curves);
    }

    static void AssertClean(string root, string results)
    {
        var strays = Directory.GetFileSystemEntries(root, "*.tmp", SearchOption.AllDirectories);
        Assert.True(strays.Length == 0, "stray temp files: " + string.Join(", ", strays));
        var dir = RunFolder(results);
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir, "units"), "resume", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "claims"), "*.json"));
        foreach (var json in Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories))
            System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).Dispose();
        Assert.True(File.Exists(Path.Combine(dir, "multipliers.csv")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Killed_runs_rerun_to_the_rows_of_an_uninterrupted_run(bool wsd)
    {
        var root = Root(wsd);
        var reference = Path.Combine(root, "reference");
        var (code, output) = Run(root, reference);
        Assert.True(code == 0, output);
        var expected = Rows(reference);
        Assert.Equal(wsd ? 12 : 8, expected.Runs.Count);   // WSD: 4 trunks + 8 branches
        Assert.Equal(expected.Runs.Count, expected.Runs.Distinct().Count());

        // The same experiment into a second results folder, with the logit cache emptied so it is filled again.
        foreach (var f in Directory.GetFiles(Path.Combine(root, ".cache", "teacher-logits"))) File.Delete(f);
        var killed = Path.Combine(root, "killed");
        string[] points =
        [
            "kill@cache-fill#3",                 // while the teacher-logit cache fills
            "kill@checkpoint-between-files#3",   // mid-unit, between the weight and optimiser files of a checkpoint
            "kill@unit-files-written#2",         // after curve.json/evals.json, before row.json
            "kill@tables-write#2",               // between runs.csv and curves.csv
            "kill@estimate",                     // during the estimate
        ];
        foreach (var point in points)
        {
            var (c, o) = Run(root, killed, point);
            Assert.True(c != 0, $"{point}: expected the process to be killed\n{o}");
        }
        (code, output) = Run(root, killed);
        Assert.True(code == 0, output);
        var actual = Rows(killed);
        Assert.Equal(expected.Runs, actual.Runs);
        Assert.Equal(expected.Curves, actual.Curves);
        AssertClean(root, killed);
        Directory.Delete(root, recursive: true);   // the logit cache is fully allocated (~240 MB)
    }

    [Fact]
    public async Task Sigterm_stops_a_run_like_ctrl_c_with_a_checkpoint_a_message_and_exit_143()
    {
        var root = Root();
        var results = Path.Combine(root, "results");
        var p = Start(root, results, null);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Wait until a unit is mid-training (its first resume checkpoint exists), then send TERM as a batch system would.
        var clock = Stopwatch.StartNew();
        bool training = false;
        while (!training && !p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(50);
            var units = Path.Combine(results, "tiny-kill");
            training = Directory.Exists(units) && Directory.GetDirectories(units, "resume", SearchOption.AllDirectories).Length > 0;
        }
        Assert.True(training, "no unit started training\n" + (p.HasExited ? await stdout + await stderr : ""));
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "harness run did not stop after SIGTERM");
        var output = await stdout + await stderr;
        Assert.True(p.ExitCode == 143, $"exit {p.ExitCode}\n{output}");
        Assert.Contains("interrupted by SIGTERM", output);
        Assert.Contains("resume with the same command", output);
        var dir = RunFolder(results);
        Assert.NotEmpty(Directory.GetFiles(dir, "resume.json", SearchOption.AllDirectories));   // the unit in progress was checkpointed
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "claims"), "*.json"));                // and its claim released
        var (code, again) = Run(root, results);
        Assert.True(code == 0, again);
        Assert.Contains(", 0 failed, in", again);
        Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_concurrent_runs_split_the_work(bool wsd)
    {
        var root = Root(wsd);
        var reference = Path.Combine(root, "reference");
        var (code, output) = Run(root, reference);   // also trains the teacher and fills the data caches
        Assert.True(code == 0, output);
        var shared = Path.Combine(root, "shared");
        var a = Start(root, shared, null);
        var b = Start(root, shared, null);
        var ra = Wait(a);
        var rb = Wait(b);
        Assert.True(ra.Code == 0, ra.Output);
        Assert.True(rb.Code == 0, rb.Output);
        int Trained(string o) => int.Parse(Regex.Match(o, @"done: (\d+) unit\(s\) trained").Groups[1].Value);
        int Failed(string o) => int.Parse(Regex.Match(o, @"(\d+) failed, in").Groups[1].Value);
        Assert.Equal(0, Failed(ra.Output) + Failed(rb.Output));     // a branch whose trunk the other process trains waits for it
        Assert.Equal(Units(reference), Trained(ra.Output) + Trained(rb.Output));   // no unit trained twice, none left out
        Assert.Equal(Rows(reference).Runs, Rows(shared).Runs);
        AssertClean(root, shared);
        Directory.Delete(root, recursive: true);
    }
}
