using System.Diagnostics;
using System.Text.Json;
using Harness.Config;
using Harness.Modeling;
using static TorchSharp.torch;

namespace Harness.Tests.Modeling;

/// <summary>A theory skipped, with the reason, where Debian's python3-torch is absent (the Llama-family reference needs PyTorch).</summary>
public sealed class TorchPythonTheoryAttribute : TheoryAttribute
{
    static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(PythonTheoryAttribute.Python)) return $"{PythonTheoryAttribute.Python} not found";
        try
        {
            using var p = Process.Start(new ProcessStartInfo(PythonTheoryAttribute.Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit(60_000);
            return p.HasExited && p.ExitCode == 0 ? null : "python3 cannot import torch";
        }
        catch (Exception e) { return e.Message; }
    });

    public TorchPythonTheoryAttribute()
    {
        if (Missing.Value is { } why) Skip = $"{why}: the independent reference (tests/tools/hf_llama_reference.py) needs python3-torch (apt-get install -y python3-torch)";
    }
}

/// <summary>The reference folders, made once per test run by tests/tools/hf_llama_reference.py.</summary>
public sealed class HuggingFaceReferenceFolders
{
    static readonly Lazy<string> Root = new(() =>
    {
        var dir = TestSupport.TempDirectory();
        var script = Path.Combine(Cli.CliTests.RepositoryRoot(), "tests", "tools", "hf_llama_reference.py");
        using var p = Process.Start(new ProcessStartInfo(PythonTheoryAttribute.Python, [script, dir]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed: {err.Result}");
        return dir;
    });

    public static string Case(string name) => Path.Combine(Root.Value, name);
}

public class HuggingFaceImportTests
{
    public static TheoryData<string> Cases => new()
    {
        "gpt2-tied-gelu_new", "gpt2-untied-gelu", "llama-gqa-tied", "llama-mha-untied-theta5e5-bias", "llama3-rope-scaling",
        "qwen2-qkv-bias-gqa-untied", "mistral-bf16", "llama-fp16-sharded",
    };

    [TorchPythonTheory]
    [MemberData(nameof(Cases))]
    public void Imported_model_matches_the_independent_pytorch_reference(string name)
    {
        var folder = HuggingFaceReferenceFolders.Case(name);
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "reference.json")));
        var r = reference.RootElement;
        var tokens = r.GetProperty("tokens").EnumerateArray().Select(row => row.EnumerateArray().Select(t => t.GetInt64()).ToArray()).ToArray();
        var expected = r.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var imported = HuggingFaceImport.Load(folder);
        Assert.Equal(r.GetProperty("architecture").GetString(), imported.Config.Architecture);
        float[] actual;
        using (no_grad())
        using (var logits = imported.Model.call(tensor(tokens.SelectMany(t => t).ToArray(), [tokens.Length, tokens[0].Length])))
            actual = logits.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double maxDelta = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        var greedy = TextSampler.Continue(imported.Model, r.GetProperty("prompt").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
            r.GetProperty("greedy").GetArrayLength(), temperature: 0, topK: 0, seed: 0);
        var expectedGreedy = r.GetProperty("greedy").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        Console.WriteLine($"HF-REFERENCE | {imported.Config.Architecture} | {name} | {r.GetProperty("dtype").GetString()} | shards {r.GetProperty("shards").GetInt32()} | max|Δlogit| {maxDelta:E2} | greedy {(greedy.SequenceEqual(expectedGreedy) ? "match" : "DIFFER")}");
        Assert.True(maxDelta <= 1e-4, $"{name}: max |Δlogit| = {maxDelta:E3} > 1e-4");
        Assert.Equal(expectedGreedy, greedy);
    }

    static string WriteConfig(object config)
    {
        var dir = TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(dir, Checkpoint.ConfigFile), JsonSerializer.Serialize(config));
        return dir;
    }

    static Dictionary<string, object?> LlamaConfigJson(string architecture = "LlamaForCausalLM") => new()
    {
        ["architectures"] = new[] { architecture }, ["model_type"] = "llama", ["vocab_size"] = 64, ["hidden_size"] = 16, ["intermediate_size"] = 24,
        ["num_hidden_layers"] = 1, ["num_attention_heads"] = 2, ["num_key_value_heads"] = 1, ["max_position_embeddings"] = 32,
        ["rms_norm_eps"] = 1e-6, ["hidden_act"] = "silu", ["tie_word_embeddings"] = true,
    };

    [Fact]
    public void A_sliding_window_mistral_is_refused_with_the_field_and_the_supported_value()
    {
        var config = LlamaConfigJson("MistralForCausalLM");
        config["sliding_window"] = 4096;
        var e = Assert.Throws<UserInputException>(() => HuggingFaceConfig.Read(WriteConfig(config)));
        Assert.Contains(e.Problems, p => p.Contains("sliding_window = 4096: the supported value is null"));
        config["sliding_window"] = null;
        Assert.Equal(HuggingFaceConfig.Mistral, HuggingFaceConfig.Read(WriteConfig(config)).Architecture);
    }

    [Fact]
    public void An_unknown_architecture_lists_the_supported_ones()
    {
        var config = LlamaConfigJson("GemmaForCausalLM");
        var e = Assert.Throws<UserInputException>(() => HuggingFaceConfig.Read(WriteConfig(config)));
        Assert.Contains(e.Problems, p => p.Contains("\"GemmaForCausalLM\"") && p.Contains("GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM"));
    }

    [Fact]
    public void Every_unimplemented_maths_field_and_unknown_key_is_refused_at_once()
    {
        var config = LlamaConfigJson();
        config["hidden_act"] = "gelu";
        config["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = "yarn", ["factor"] = 4.0 };
        config["qk_layernorm"] = true;
        var e = Assert.Throws<UserInputException>(() => HuggingFaceConfig.Read(WriteConfig(config)));
        Assert.Contains(e.Problems, p => p.Contains("hidden_act = \"gelu\": the supported value is \"silu\""));
        Assert.Contains(e.Problems, p => p.Contains("rope_scaling.rope_type = \"yarn\": supported values are null, \"default\" and \"llama3\""));
        Assert.Contains(e.Problems, p => p.Contains("field \"qk_layernorm\""));
        Assert.Equal(3, e.Problems.Count);
        foreach (var p in e.Problems) Console.WriteLine($"REFUSAL | {p}");
    }

    [Fact]
    public void A_folder_without_weights_or_with_wrong_shapes_names_every_tensor()
    {
        var dir = WriteConfig(LlamaConfigJson());
        var e = Assert.Throws<UserInputException>(() => HuggingFaceImport.Load(dir));
        Assert.Contains(e.Problems, p => p.Contains("model.safetensors.index.json"));
        var config = HuggingFaceConfig.Read(dir);
        using var wrong = new Llama(config.Llama! with { Intermediate = 20 });
        var state = wrong.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(dir, Checkpoint.WeightsFile), state);
        e = Assert.Throws<UserInputException>(() => HuggingFaceImport.Load(dir));
        Assert.Equal(3, e.Problems.Count(p => p.Contains("has shape")));   // gate, up, down
    }

    [Theory]
    [InlineData(2, 1, false, false, false, true)]
    [InlineData(4, 4, true, true, true, false)]
    [InlineData(4, 2, true, false, false, false)]
    public void Llama_parameter_count_formula_equals_the_modules_numel(int heads, int kvHeads, bool qkvBias, bool outputBias, bool mlpBias, bool tied)
    {
        var config = new LlamaConfig(50, 16, 2, heads, kvHeads, 24, 6, 40, 1e-5, 10000, null, qkvBias, outputBias, mlpBias, tied);
        using var model = new Llama(config);
        Assert.Equal(model.parameters().Sum(p => p.numel()), ModelMath.TotalParams(config));
        Assert.Equal(ModelMath.TotalParams(config) - 50L * 24 * (tied ? 1 : 2), ModelMath.NonEmbeddingParams(config));
    }
}
