using BenchmarkDotNet.Attributes;
using Harness.Evaluation;
using Harness.Modeling;
using TorchSharp;
using Harness.Config;

namespace Harness.Benchmarks;

/// <summary>
/// <see cref="GptScorer.LogLikelihood"/> over the 256 requests the "knowledge" task emits for its first 64 items
/// (4-way multiple choice, questions of about 15 tokens), with the corpus BPE (vocab 1024) and a random-init "mini"
/// GPT (d96, L3, T128; the weights do not change the cost).  Parameterised over the scorer's batch size: at 1 every
/// request is its own forward pass, so the rows show what batching buys an evaluation pass.
/// </summary>
// In-process: see TrainingStepBenchmarks.
[InProcess]
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
[ThroughputColumn("requests")]
public class ScoringBenchmarks
{
    const string TaskName = "knowledge";
    const int Items = 64;
    const int Requests = 256; // 64 items × 4 choices; checked in Setup

    [Params(1, 32, 128)]
    public int BatchSize { get; set; } = 32;

    Gpt model = null!;
    GptScorer scorer = null!;
    IReadOnlyList<LoglikelihoodRequest> requests = [];

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(2);
        torch.manual_seed(0);
        var tokenizer = CorpusTokenizer.Tokenizer;
        model = new Gpt(GptConfig.Presets["mini"] with { VocabSize = CorpusTokenizer.VocabSize });
        scorer = new GptScorer(model, tokenizer, BatchSize);
        // Record what the task asks a scorer for (the answers are ignored).
        var recorder = new DelegateScorer(_ => 0);
        TaskRegistry.Get(TaskName).Evaluate(recorder, Items);
        requests = recorder.Seen.OfType<LoglikelihoodRequest>().ToArray();
        if (requests.Count != Requests)
            throw new InvalidOperationException($"task '{TaskName}' emitted {requests.Count} requests for {Items} items, expected {Requests}");
    }

    [Benchmark]
    [WorkPerOperation(Requests, "requests")]
    public double LogLikelihood() => scorer.LogLikelihood(requests).Sum(r => r.LogProb);

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();
}
