using System.Diagnostics;
using System.Text.Json;
using Harness.Config;

namespace Harness.Perf;

/// <summary>
/// Runs the PyTorch reference benchmark (bench_torch.py) with Debian's python3: a training-step run of the same model
/// shape, batch, steps, warm-up and threads, and a 2048³ matmul run.  The script prints one line
/// <c>RESULT {json}</c>; everything else it prints is ignored.
/// </summary>
public static class PytorchReference
{
    public const string Python = "/usr/bin/python3";
    const string ResultPrefix = "RESULT ";

    public static PytorchReferenceOutcome Run(string script, GptConfig model, int batch, int steps, int warmup, int threads)
    {
        if (!File.Exists(script) || !File.Exists(Python))
            return new(null, Skipped: $"needs {script} and {Python} with python3-torch (apt-get install python3-torch libopenblas0-openmp).");
        var failures = new List<string>();
        JsonElement? RunScript(string args)
        {
            var psi = new ProcessStartInfo(Python, $"{script} {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
            // OpenBLAS's AVX-512 kernels are PyTorch's best case where the CPU has them; forcing them elsewhere crashes.
            if (CpuHasAvx512()) psi.Environment["OPENBLAS_CORETYPE"] = "SKYLAKEX";
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var result = ParseResultLine(output);
            if (result is null) failures.Add(p.StandardError.ReadToEnd().Split('\n').LastOrDefault(l => l.Length > 0) ?? "");
            return result;
        }
        var train = RunScript($"--mode train --vocab {model.VocabSize} --ctx {model.ContextLength} --d_model {model.DModel} --n_layer {model.Layers} --n_head {model.Heads} --batch {batch} --steps {steps} --warmup {warmup} --threads {threads}");
        var mm = RunScript($"--mode mm --mm_n 2048 --mm_reps 10 --threads {threads}");
        if (train is null || mm is null) return new(null) { Failures = failures };
        return new(new PytorchBenchResult(train.Value.GetProperty("tokens_per_s").GetDouble(), train.Value.GetProperty("step_ms_median").GetDouble(),
            train.Value.GetProperty("achieved_gflops").GetDouble(), mm.Value.GetProperty("gflops").GetDouble()));
    }

    /// <summary>The JSON of the script's first <c>RESULT </c> line (null when it printed none).</summary>
    public static JsonElement? ParseResultLine(string stdout)
    {
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (line is null) return null;
        using var doc = JsonDocument.Parse(line[ResultPrefix.Length..]);
        return doc.RootElement.Clone();
    }

    static bool CpuHasAvx512() =>
        File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Contains(" avx512f", StringComparison.Ordinal));
}
