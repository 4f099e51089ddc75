using System.Diagnostics;
using System.Text;

namespace Harness.Tests.Sweep.Execution;

/// <summary>
/// A throw-away "repository" for tests that start real `harness` processes: a folder with a Harness.sln marker (so the
/// child's repository root is this folder), a tiny sweep config (4 units: scratch and online logit-KD × 2 seeds,
/// 30 steps each, checkpoints every 10) and a teacher train config (the prepare stage trains the teacher).
/// </summary>
public sealed class WorkerRoot
{
    public const string SweepJson = """
    { "name": "exec-it",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "teacher": { "checkpoint": "models/teacher", "train_config": "teacher.json" },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 } },
      "budgets": [ { "name": "b", "tokens": 3840 } ],
      "methods": ["scratch", "logit-kd"],
      "kd": { "top_k": 8, "cache": false },
      "seeds": [1, 2],
      "training": { "batch_size": 8, "eval_interval": 10, "eval_tokens": 512, "checkpoint_interval": 10, "warmup_steps": 2, "log_interval": 1 },
      "evaluation": { "tasks": "none" }
    }
    """;

    const string TeacherJson = """
    { "name": "t", "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "model": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 32 },
      "training": { "batch_size": 8, "max_tokens": 12800, "eval_interval": 50, "eval_tokens": 512, "warmup_steps": 5, "seed": 3 },
      "output": "models/teacher" }
    """;

    public WorkerRoot(string? directory = null)
    {
        Directory = directory ?? TestSupport.TempDirectory();
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, "Harness.sln"), "");
        File.WriteAllText(Path.Combine(Directory, "sweep.json"), SweepJson);
        File.WriteAllText(Path.Combine(Directory, "teacher.json"), TeacherJson);
    }

    public string Directory { get; }
    public string Config => Path.Combine(Directory, "sweep.json");

    /// <summary>dotnet + the harness.dll beside the test assembly.</summary>
    public static string HarnessDll => Path.Combine(AppContext.BaseDirectory, "harness.dll");

    public static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet"
        ? p : Harness.Sweep.Slurm.SlurmCommands.Which("dotnet") ?? "dotnet";

    public Process Start(IEnumerable<string> args, IDictionary<string, string>? env = null, StringBuilder? output = null)
    {
        var psi = new ProcessStartInfo(Dotnet) { WorkingDirectory = Directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(HarnessDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HARNESS_DLL"] = HarnessDll;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";   // a killed worker leaves no diagnostic socket or debug pipes in $TMPDIR
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi };
        var sink = output ?? new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (sink) sink.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sink) sink.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Runs harness to completion; returns exit code and output.</summary>
    public (int Code, string Output) Run(IEnumerable<string> args, IDictionary<string, string>? env = null, int timeoutSeconds = 240)
    {
        var output = new StringBuilder();
        using var p = Start(args, env, output);
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"harness {string.Join(' ', args)} did not finish in {timeoutSeconds} s:\n{output}");
        }
        p.WaitForExit();
        lock (output) return (p.ExitCode, output.ToString());
    }

    /// <summary>The one run folder under a results root.</summary>
    public static string RunDirectory(string resultsRoot) =>
        System.IO.Directory.GetDirectories(Path.Combine(resultsRoot, "exec-it")).Single();

    /// <summary>A CSV's rows without the columns that measure time or the scheduler (they differ between executors by nature).</summary>
    public static List<string> StableRows(string csvPath)
    {
        string[] volatileColumns = ["wall_seconds", "tokens_per_second", "eval_seconds", "restart_count"];
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !volatileColumns.Contains(header[i])).ToArray();
        return lines.Select(l => l.Split(',')).Select(f => string.Join(",", keep.Select(i => f[i]))).ToList();
    }
}
