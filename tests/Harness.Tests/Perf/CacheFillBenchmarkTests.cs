using Harness.Config;
using Harness.Modeling;
using Harness.Perf;
using static TorchSharp.torch;

namespace Harness.Tests.Perf;

public class CacheFillBenchmarkTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Fills_every_timed_window_of_an_imported_llama_folder_once(ScalarType dtype)
    {
        manual_seed(2);
        var config = new LlamaConfig(80, 16, 1, 2, 1, 16, 8, 24, 1e-5, 10000);
        var dir = TestSupport.TempDirectory();
        using (var model = new Llama(config))
        {
            var state = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(dir, Checkpoint.WeightsFile), state);
        }
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), HuggingFaceExport.Config(config).ToJsonString());
        var r = CacheFillBenchmark.Run(dir, dtype, batch: 3, windows: 7, topK: 4, Path.Combine(dir, "cache"), CPU);
        Assert.Equal(9, r.Windows);                         // ⌈7 / 3⌉ timed batches of 3
        Assert.Equal(16, r.Window);
        Assert.Equal(ModelMath.TotalParams(config), r.Parameters);
        Assert.True(r.TokensPerSecond > 0 && double.IsFinite(r.TokensPerSecond));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "cache")));   // the cache file is removed
    }
}
