using System.Diagnostics;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Perf;

public sealed record StepBenchmarkResult(GptConfig Model, int BatchSize, int Steps, double TokensPerSecond, double StepMsMedian,
                                         double AchievedGflops, double MatmulGflops, double PeakRssMb, double RssAfterWarmupMb, double RssEndMb)
{
    /// <summary>Achieved model FLOP/s ÷ measured fp32 matmul FLOP/s (an MFU against this machine, not a datasheet).</summary>
    public double FractionOfMatmul => AchievedGflops / MatmulGflops;
}

/// <summary>
/// Times training steps on random tokens (the data pipeline is not timed), matching ../shared/perf/bench_torch.py:
/// AdamW(lr 1e-3, wd 0.01), FLOPs per token 6N + 12·L·d·T (nanoGPT).
/// </summary>
public static class StepBenchmark
{
    public static double MatmulGflops(int n = 2048, int reps = 10, Device? device = null)
    {
        device ??= CPU;
        using var a = randn(n, n, device: device);
        using var b = randn(n, n, device: device);
        for (int i = 0; i < 2; i++) using (matmul(a, b)) { }
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) using (matmul(a, b)) { }
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        return 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    public static StepBenchmarkResult Run(GptConfig config, int batchSize, int steps, int warmup, Device device, double? matmulGflops = null)
    {
        manual_seed(0);
        using var model = new Gpt(config, device);
        model.train();
        using var optimizer = SafeAdamW.ForAll(model, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        var times = new List<double>();
        double peakRss = 0, rssAfterWarmup = 0;
        for (int i = 0; i < warmup + steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var x = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
                var y = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
                var logits = model.call(x);
                var loss = nn.functional.cross_entropy(logits.view(-1, config.VocabSize), y.view(-1));
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                if (device.type == DeviceType.CUDA) cuda.synchronize();
            }
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
            double rss = CurrentRssMb();
            if (i == warmup - 1 || (warmup == 0 && i == 0)) rssAfterWarmup = rss;
            peakRss = Math.Max(peakRss, rss);
        }
        double tokens = (double)batchSize * config.ContextLength * steps;
        double tokensPerSecond = tokens / times.Sum();
        double achieved = ModelMath.TrainFlopsPerToken(config) * tokensPerSecond / 1e9;
        times.Sort();
        return new StepBenchmarkResult(config, batchSize, steps, tokensPerSecond, 1000 * times[times.Count / 2], achieved,
            matmulGflops ?? MatmulGflops(device: device), peakRss, rssAfterWarmup, CurrentRssMb());
    }

    /// <summary>One part of a training step, timed in isolation (median over repetitions).</summary>
    public sealed record StepComponent(string Name, double Milliseconds);

    /// <summary>
    /// Where a training step's time goes: the whole step, its forward and optimiser parts, and — at the model's own
    /// shapes — all linear-layer GEMMs (forward X·Wᵀ, backward dY·W and dYᵀ·X) and the attention kernel (SDPA forward +
    /// backward), each run alone.  "Everything else" (LayerNorm, GELU, residual adds, embeddings, loss, autograd
    /// bookkeeping) is the remainder.  The GEMM line is the floor for this model on this machine: a step cannot be faster
    /// than its matmuls.
    /// </summary>
    public static IReadOnlyList<StepComponent> Breakdown(GptConfig config, int batchSize, int reps, Device device)
    {
        manual_seed(0);
        using var model = new Gpt(config, device);
        model.train();
        using var optimizer = SafeAdamW.ForAll(model, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        using var x = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
        using var y = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
        Tensor Loss() => nn.functional.cross_entropy(model.call(x).view(-1, config.VocabSize), y.view(-1));
        double Median(Action body)
        {
            var times = new List<double>();
            for (int i = 0; i < reps + 2; i++)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope()) body();
                if (device.type == DeviceType.CUDA) cuda.synchronize();
                if (i >= 2) times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double full = Median(() => { var loss = Loss(); optimizer.ZeroGrad(); loss.backward(); optimizer.Step(); });
        double forward = Median(() => Loss());
        double forwardBackward = Median(() => { var loss = Loss(); optimizer.ZeroGrad(); loss.backward(); });
        double step = Median(() => optimizer.Step());

        long rows = (long)batchSize * config.ContextLength;
        int c = config.DModel;
        var linears = new List<(int In, int Out)>();
        for (int l = 0; l < config.Layers; l++) linears.AddRange([(c, 3 * c), (c, c), (c, 4 * c), (4 * c, c)]);
        linears.Add((c, config.VocabSize));
        var operands = linears.Distinct().ToDictionary(shape => shape, shape =>
            (X: randn(rows, shape.In, device: device), W: randn(shape.Out, shape.In, device: device), G: randn(rows, shape.Out, device: device)));
        double gemms = Median(() =>
        {
            foreach (var shape in linears)
            {
                var (input, weight, gradient) = operands[shape];
                matmul(input, weight.t());            // forward       (M, out)
                matmul(gradient, weight);             // ∂/∂input      (M, in)
                matmul(gradient.t(), input);          // ∂/∂weight     (out, in)
            }
        });
        foreach (var (input, weight, gradient) in operands.Values) { input.Dispose(); weight.Dispose(); gradient.Dispose(); }

        var qkvShape = new long[] { batchSize, config.Heads, config.ContextLength, config.HeadDim };
        using var q = randn(qkvShape, device: device, requires_grad: true);
        using var k = randn(qkvShape, device: device, requires_grad: true);
        using var v = randn(qkvShape, device: device, requires_grad: true);
        using var upstream = randn(qkvShape, device: device);
        double attention = Median(() =>
        {
            for (int l = 0; l < config.Layers; l++)
                nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true).backward([upstream]);
        });
        return
        [
            new("full step", full),
            new("forward", forward),
            new("backward", forwardBackward - forward),
            new("optimizer (AdamW)", step),
            new("linear-layer GEMMs, fwd + bwd", gemms),
            new("attention (SDPA), fwd + bwd", attention),
            new("everything else", Math.Max(0, full - gemms - attention - step)),
        ];
    }

    /// <summary>Resident set size of this process in MiB (native libtorch memory included), from /proc on Linux.</summary>
    public static double CurrentRssMb()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / 1048576.0;
    }

    public sealed record KdBenchmarkResult(double OnlineTokensPerSecond, double CachedTokensPerSecond, int CacheBytesPerToken, double CacheFillTokensPerSecond)
    {
        public double Speedup => CachedTokensPerSecond / OnlineTokensPerSecond;
    }

    /// <summary>
    /// Logit-KD training steps with the teacher run online vs served from a pre-filled top-k cache (steady state: every
    /// student after the first reads a filled cache).  Same windows, same student, same loss.
    /// </summary>
    public static KdBenchmarkResult RunKd(GptConfig student, GptConfig teacher, int batchSize, int steps, int topK, string cacheDirectory, Device device)
    {
        var tokens = new int[(steps + 2) * batchSize * student.ContextLength + 1];
        var rng = new Random(0);
        for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.Next(student.VocabSize);
        manual_seed(0);
        using var teacherModel = new Gpt(teacher, device);
        var sampler = new Training.BatchSampler(tokens, batchSize, student.ContextLength, seed: 1, alignToContext: true);
        var cachePath = Path.Combine(cacheDirectory, $"bench-{Guid.NewGuid():N}.bin");
        try
        {
            using var cache = new TeacherLogitCache(cachePath, teacherModel, tokens.Length, topK);
            double online = TimeKd(student, new OnlineTeacher(teacherModel), sampler, steps, device);
            // Fill the cache for exactly the windows the timed run reads (what the first student of a sweep pays).
            var fill = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++)
                using (var scope = NewDisposeScope())
                {
                    var starts = sampler.Starts(i);
                    var (x, y) = sampler.Batch(starts, device);
                    cache.Lookup(new TrainingBatch(x, y, starts, i), device);
                }
            double fillRate = (double)steps * batchSize * student.ContextLength / fill.Elapsed.TotalSeconds;
            double cached = TimeKd(student, new CachedTeacher(cache, student.VocabSize), sampler, steps, device);
            return new KdBenchmarkResult(online, cached, cache.BytesPerToken, fillRate);
        }
        finally
        {
            if (File.Exists(cachePath)) File.Delete(cachePath);
        }
    }

    static double TimeKd(GptConfig studentConfig, ITeacherSignal teacher, Training.BatchSampler sampler, int steps, Device device)
    {
        manual_seed(1);
        using var student = new Gpt(studentConfig, device);
        using var optimizer = SafeAdamW.ForAll(student, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        var objective = new LogitKdObjective(teacher, DivergenceKind.ForwardKl, 0.5, 2.0);
        var clock = new Stopwatch();
        for (int i = 0; i < steps; i++)
        {
            if (i == 2) clock.Start(); // two warm-up steps
            using var scope = NewDisposeScope();
            var starts = sampler.Starts(i);
            var (x, y) = sampler.Batch(starts, device);
            var loss = objective.Loss(student.call(x), new TrainingBatch(x, y, starts, i));
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
        }
        return (double)(steps - 2) * sampler.BatchSize * studentConfig.ContextLength / clock.Elapsed.TotalSeconds;
    }
}
