using System.Diagnostics;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Perf;

/// <summary>Teacher-logit cache fill rate of an imported model at one inference dtype (`harness bench --cache-fill`).</summary>
public sealed record CacheFillBenchmarkResult(string Model, long Parameters, string Dtype, int Batch, int Window, int Windows, double TokensPerSecond,
                                              double LoadSeconds, double PeakRssMb);

public static class CacheFillBenchmark
{
    /// <summary>
    /// Loads the Hugging Face folder <paramref name="modelFolder"/> at <paramref name="dtype"/>, then fills the top-k
    /// cache for <paramref name="windows"/> windows of uniformly random tokens, <paramref name="batch"/> windows per
    /// forward (as a sweep's fill does: no-grad forward, float32 log-softmax, top-k, checksum, write).  The first batch
    /// is a warm-up and not timed.  Tokens/s = timed windows × window / seconds.
    /// </summary>
    public static CacheFillBenchmarkResult Run(string modelFolder, ScalarType dtype, int batch, int windows, int topK, string cacheDirectory, Device device)
    {
        var load = Stopwatch.StartNew();
        using var imported = HuggingFaceImport.Load(modelFolder, device, dtype);
        load.Stop();
        var model = imported.Model;
        int window = Math.Min(model.ContextLength, 2048);
        int vocab = model.OutputSize;
        var rng = new Random(0);
        int steps = (windows + batch - 1) / batch;
        var tokens = new int[(steps + 1) * batch * window + 1];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.Next(vocab);
        var cachePath = Path.Combine(cacheDirectory, $"fill-bench-{Guid.NewGuid():N}.bin");
        Directory.CreateDirectory(cacheDirectory);
        try
        {
            using var cache = new TeacherLogitCache(cachePath, model, tokens.Length, topK);
            var clock = new Stopwatch();
            for (int i = 0; i <= steps; i++)
            {
                if (i == 1) clock.Start();   // batch 0 warms up
                using var scope = NewDisposeScope();
                // Consecutive windows, each filled once (a random sampler would revisit some and time cache hits).
                var starts = Enumerable.Range(i * batch, batch).Select(w => (long)w * window).ToArray();
                var x = tensor(starts.SelectMany(s => tokens.AsSpan((int)s, window).ToArray()).Select(t => (long)t).ToArray(), [batch, window]).to(device);
                cache.Lookup(new TrainingBatch(x, x, starts, i), device);
            }
            clock.Stop();
            double rate = (double)steps * batch * window / clock.Elapsed.TotalSeconds;
            using var self = Process.GetCurrentProcess();
            return new CacheFillBenchmarkResult(modelFolder, model.parameters().Sum(p => p.numel()), dtype.ToString(), batch, window, steps * batch, rate,
                                                load.Elapsed.TotalSeconds, self.PeakWorkingSet64 / 1e6);
        }
        finally
        {
            if (File.Exists(cachePath)) File.Delete(cachePath);
        }
    }
}
