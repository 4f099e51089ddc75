using BenchmarkDotNet.Attributes;
using Harness.Modeling;
using Harness.Training;
using TorchSharp;
using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Benchmarks;

/// <summary>One optimiser step of the PyTorch-reference model (d128, L4, H4, T128, V512, batch 32) and of the quickstart teacher.</summary>
// In-process: BenchmarkDotNet's generated child project would copy an unpatched libLibTorchSharp.so (see README,
// "TorchSharp on Debian 12"); this process already loads the patched copy from its own output folder.
[InProcess]
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(10)]
public class TrainingStepBenchmarks
{
    [Params("small", "teacher-tiny")]
    public string Preset { get; set; } = "small";

    Gpt model = null!;
    SafeAdamW optimizer = null!;
    Tensor x = null!, y = null!;
    GptConfig config = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(2);
        torch.manual_seed(0);
        config = GptConfig.Presets[Preset] with { VocabSize = 512, TieEmbeddings = false };
        model = new Gpt(config);
        optimizer = SafeAdamW.ForAll(model, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        x = randint(0, 512, [32, config.ContextLength], dtype: ScalarType.Int64);
        y = randint(0, 512, [32, config.ContextLength], dtype: ScalarType.Int64);
    }

    [Benchmark]
    public float TrainingStep()
    {
        using var scope = NewDisposeScope();
        var logits = model.call(x);
        var loss = nn.functional.cross_entropy(logits.view(-1, 512), y.view(-1));
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.Step();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        optimizer.Dispose();
        model.Dispose();
    }
}
