using System.Text.Json;
using Harness.Config;
using Harness.Distillation;
using Harness.Modeling;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Distillation;

public sealed class SyntheticCorpusCacheTests : IDisposable
{
    static readonly int[] Prompts = TestSupport.PatternStream(400, 64);
    readonly TempDirectory tmp = new();
    readonly Gpt teacher;
    readonly List<string> statuses = [];

    public SyntheticCorpusCacheTests()
    {
        torch.manual_seed(2);
        teacher = new Gpt(TestSupport.TinyModel(vocab: 64));
    }

    public void Dispose()
    {
        teacher.Dispose();
        tmp.Dispose();
    }

    static SyntheticCorpusCache.Request Request(long tokens = 60, int seed = 1) =>
        new(new SeqKdSpec { Tokens = tokens, Temperature = 0.9, TopP = 0.9, Seed = seed }, "teacher-hash", "tok-hash", "stream-hash");

    SyntheticCorpus.Result Load(SyntheticCorpusCache cache, SyntheticCorpusCache.Request request) =>
        cache.LoadOrGenerate(teacher, Prompts, request, statuses.Add);

    [Fact]
    public void Key_is_the_one_the_sweep_has_always_used()
    {
        // The hash the sweep runner computed before the cache moved here: cache files written then are still found.
        var r = Request();
        var s = r.Settings;
        var old = SweepPlan.Hash(new { teacherHash = r.TeacherHash, s.Tokens, s.Temperature, s.TopP, s.Seed, data = r.TokenizerHash, stream = r.TrainStreamHash });
        var cache = new SyntheticCorpusCache(tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, "synthetic", old + ".json"), cache.PathFor(r));
        Assert.NotEqual(cache.PathFor(r), cache.PathFor(Request(seed: 2)));
        Assert.NotEqual(cache.PathFor(r), cache.PathFor(r with { TeacherHash = "other" }));
    }

    [Fact]
    public void A_cancelled_sampling_pass_stops_within_a_token_step_and_writes_nothing()
    {
        // SIGTERM during seq-KD sampling (issue 24 point 7): the pass stops at the next generated token instead of
        // running to the end, and no partial corpus reaches the cache (a later run samples it whole).
        var cache = new SyntheticCorpusCache(tmp.Path);
        var request = Request(tokens: 100_000);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => cache.LoadOrGenerate(teacher, Prompts, request, statuses.Add, cancelled.Token));
        Assert.False(File.Exists(cache.PathFor(request)));
        Assert.Equal(60, Load(cache, Request()).Tokens.Length);   // the same cache still generates once not cancelled
    }

    [Fact]
    public void Miss_generates_and_writes_then_a_hit_reads_the_file()
    {
        var cache = new SyntheticCorpusCache(tmp.Path);
        var request = Request();
        var generated = Load(cache, request);
        Assert.Equal(60, generated.Tokens.Length);
        Assert.True(generated.GenerationFlops > 0);
        Assert.Contains("teacher samples 60 tokens", Assert.Single(statuses));
        Assert.True(File.Exists(cache.PathFor(request)));
        Assert.Equal(SyntheticCorpus.Generate(teacher, Prompts, 60, 0.9, 0.9, 1).Tokens, generated.Tokens);

        // A hit: no generation, and the tokens are those on disk (replaced here by a marker corpus).
        var marker = new SyntheticCorpus.Result(Enumerable.Repeat(7, 60).ToArray(), 42);
        File.WriteAllText(cache.PathFor(request), JsonSerializer.Serialize(marker));
        var hit = Load(cache, request);
        Assert.Single(statuses);
        Assert.Equal(marker.Tokens, hit.Tokens);
        Assert.Equal(42, hit.GenerationFlops);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("{\"Tokens\":[1,2,3],\"GenerationFlops\":5}", "3 tokens, expected 60")]
    [InlineData("null", "no tokens")]
    [InlineData("OUT_OF_VOCAB", "outside [0, 64)")]
    [InlineData("NAN_FLOPS", "generation_flops")]
    public void A_corrupt_file_is_generated_again_and_replaced(string content, string reason)
    {
        var cache = new SyntheticCorpusCache(tmp.Path);
        var request = Request();
        var path = cache.PathFor(request);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        content = content switch
        {
            "OUT_OF_VOCAB" => JsonSerializer.Serialize(new SyntheticCorpus.Result([.. Enumerable.Repeat(1, 59), 64], 5)),
            "NAN_FLOPS" => "{\"Tokens\":[" + string.Join(",", Enumerable.Repeat(1, 60)) + "],\"GenerationFlops\":-1}",
            _ => content,
        };
        File.WriteAllText(path, content);
        Assert.Null(SyntheticCorpusCache.TryRead(path, 60, 64, out var problem));
        Assert.Contains(reason, problem);

        var result = Load(cache, request);
        Assert.Contains("unusable", Assert.Single(statuses));
        Assert.Contains(reason, statuses[0]);
        Assert.Equal(SyntheticCorpus.Generate(teacher, Prompts, 60, 0.9, 0.9, 1).Tokens, result.Tokens);
        Assert.NotNull(SyntheticCorpusCache.TryRead(path, 60, 64, out _));   // the replacement is whole
    }
}
