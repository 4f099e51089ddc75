using System.Diagnostics;
using Harness.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Training;

public sealed record StepBenchmarkResult(GptConfig Model, int BatchSize, int Steps, double TokensPerSecond, double StepMsMedian,
                                         double AchievedGflops, double MatmulGflops, double PeakRssMb)
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
        using var optimizer = optim.AdamW(model.parameters(), 1e-3, 0.9, 0.999, 1e-8, 0.01);
        var times = new List<double>();
        double peakRss = 0;
        for (int i = 0; i < warmup + steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var x = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
                var y = randint(0, config.VocabSize, [batchSize, config.ContextLength], dtype: ScalarType.Int64, device: device);
                var logits = model.call(x);
                var loss = nn.functional.cross_entropy(logits.view(-1, config.VocabSize), y.view(-1));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (device.type == DeviceType.CUDA) cuda.synchronize();
            }
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
            peakRss = Math.Max(peakRss, Environment.WorkingSet / 1048576.0);
        }
        double tokens = (double)batchSize * config.ContextLength * steps;
        double tokensPerSecond = tokens / times.Sum();
        double achieved = ModelMath.TrainFlopsPerToken(config) * tokensPerSecond / 1e9;
        times.Sort();
        return new StepBenchmarkResult(config, batchSize, steps, tokensPerSecond, 1000 * times[times.Count / 2], achieved,
            matmulGflops ?? MatmulGflops(device: device), peakRss);
    }
}
