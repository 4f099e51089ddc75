using BenchmarkDotNet.Attributes;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Perf;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Benchmarks;

/// <summary>
/// One logit-KD optimiser step of a "small" student (d128, L4, T128, V512, untied, batch 32) from a random-init
/// "teacher-tiny" teacher (d256, L6), with the teacher run online (<see cref="OnlineTeacher"/>: a teacher forward pass
/// per step) or served from a filled top-32 <see cref="TeacherLogitCache"/> (<see cref="CachedTeacher"/>: a
/// memory-mapped read instead of the forward pass).  The same loss as <c>harness bench --kd</c> (forward KL, α 0.5,
/// τ 2; <see cref="StepBenchmark.RunKd"/>): the ratio is what the cache saves each student after the first of a sweep.
/// The steps cycle through <see cref="Batches"/> fixed context-aligned micro-batches; the cache is filled for exactly
/// those windows in setup, so the cached step never runs the teacher.
/// </summary>
// In-process: see TrainingStepBenchmarks.
[InProcess]
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
[ThroughputColumn("tokens")]
public class KdStepBenchmarks
{
    const int Vocab = 512;
    const int BatchSize = 32;
    const int Context = 128;
    const int TokensPerStep = BatchSize * Context;
    const int TopK = 32;
    const int Batches = 8;

    Gpt teacher = null!;
    Gpt student = null!;
    SafeAdamW optimizer = null!;
    TeacherLogitCache? cache;
    LogitKdObjective objective = null!;
    TrainingBatch[] batches = [];
    string cachePath = "";
    int step;

    void Init(Func<Gpt, ITeacherSignal> signal)
    {
        torch.set_num_threads(2);
        var studentConfig = GptConfig.Presets["small"] with { VocabSize = Vocab, ContextLength = Context, TieEmbeddings = false };
        var teacherConfig = GptConfig.Presets["teacher-tiny"] with { VocabSize = Vocab, ContextLength = Context, TieEmbeddings = false };
        // Random token stream with room for every window of the fixed batches (as StepBenchmark.RunKd builds it).
        var tokens = new int[(Batches + 2) * TokensPerStep + 1];
        var rng = new Random(0);
        for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.Next(Vocab);
        var sampler = new BatchSampler(tokens, BatchSize, Context, seed: 1, alignToContext: true);
        batches = new TrainingBatch[Batches];
        for (int i = 0; i < Batches; i++)
        {
            var starts = sampler.Starts(i);
            var (x, y) = sampler.Batch(starts, CPU);
            batches[i] = new TrainingBatch(x, y, starts, i);
        }
        torch.manual_seed(0);
        teacher = new Gpt(teacherConfig);
        var teacherSignal = signal(teacher);
        torch.manual_seed(1);
        student = new Gpt(studentConfig);
        optimizer = SafeAdamW.ForAll(student, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        objective = new LogitKdObjective(teacherSignal, DivergenceKind.ForwardKl, 0.5, 2.0);
        step = 0;
    }

    [GlobalSetup(Target = nameof(OnlineTeacherStep))]
    public void SetupOnline() => Init(t => new OnlineTeacher(t));

    [GlobalSetup(Target = nameof(CachedTeacherStep))]
    public void SetupCached() => Init(t =>
    {
        cachePath = Path.Combine(Path.GetTempPath(), $"harness-bench-kd-{Guid.NewGuid():N}.bin");
        cache = new TeacherLogitCache(cachePath, t, (Batches + 2L) * TokensPerStep + 1, TopK);
        // Fill exactly the windows the benchmark reads (the one-off cost the first student of a sweep pays).
        foreach (var batch in batches)
            using (NewDisposeScope())
                cache.Lookup(batch, CPU);
        return new CachedTeacher(cache, Vocab);
    });

    [Benchmark(Baseline = true)]
    [WorkPerOperation(TokensPerStep, "tokens")]
    public float OnlineTeacherStep() => Step();

    [Benchmark]
    [WorkPerOperation(TokensPerStep, "tokens")]
    public float CachedTeacherStep() => Step();

    float Step()
    {
        var batch = batches[step++ % Batches];
        using var scope = NewDisposeScope();
        var loss = objective.Loss(student.call(batch.X), batch);
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.Step();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        optimizer.Dispose();
        student.Dispose();
        teacher.Dispose();
        foreach (var batch in batches)
        {
            batch.X.Dispose();
            batch.Y.Dispose();
        }
        cache?.Dispose();
        cache = null;
        if (cachePath.Length > 0 && File.Exists(cachePath)) File.Delete(cachePath);
        cachePath = "";
    }
}
