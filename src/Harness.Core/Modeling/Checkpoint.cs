using System.Text.Json;
using Harness.Config;
using TorchSharp;
using TorchSharp.PyBridge;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>What is stored beside the weights: the shape and where the model came from.</summary>
public sealed record CheckpointInfo
{
    public int FormatVersion { get; init; } = 1;
    public required GptConfig Model { get; init; }
    /// <summary>Tokenizer rank file beside the checkpoint (null for the stock GPT-2 encoding).</summary>
    public string? TokenizerFile { get; init; }
    public string TokenizerKind { get; init; } = "bpe";
    public string CorpusHash { get; init; } = "";
    public string TokenizerHash { get; init; } = "";
    public long TrainingTokens { get; init; }
    /// <summary>Analytic training FLOPs spent on this model (for the teacher-pretraining compute column).</summary>
    public double TrainingFlops { get; init; }
    public double FinalValLoss { get; init; }
    /// <summary>Written as <c>final_val_bpb</c> (the results' <c>val_bpb</c> at the last step).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("final_val_bpb")] public double FinalValBitsPerByte { get; init; }
    /// <summary>Checkpoints written before the rename call it <c>final_val_bits_per_byte</c>; read, never written.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("final_val_bits_per_byte"), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? LegacyFinalValBitsPerByte { get => null; init { if (value is { } v) FinalValBitsPerByte = v; } }
    /// <summary>The config the model was trained with, so `harness train` can regenerate it.</summary>
    public string? TrainConfig { get; init; }
}

/// <summary>
/// Checkpoints as safetensors with nanoGPT/GPT-2 tensor names (transformer.wte.weight, transformer.h.0.attn.c_attn.weight, …;
/// weights in nn.Linear (out, in) layout) plus config.json.  A Llama-family shape (<c>"architecture": "llama"</c>) keeps
/// transformers' names (model.embed_tokens.weight, model.layers.0.self_attn.q_proj.weight, …).  A tied head stores no lm_head.weight (PyTorch: tie it after
/// loading, see README "Checkpoints").  Saving is atomic; loading checks every name and shape and lists all mismatches.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";

    public static string ToExternalName(string name) => name.StartsWith("lm_head", StringComparison.Ordinal) ? name : "transformer." + name;

    /// <summary>The stored name of a parameter of <paramref name="model"/>: nanoGPT's for GPT, the module's own (transformers') for Llama.</summary>
    static string StoredName(CausalLm model, string name) => model is Gpt ? ToExternalName(name) : name;

    public static void Save(CausalLm model, string directory, CheckpointInfo info)
    {
        Directory.CreateDirectory(directory);
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in model.named_parameters())
            state[StoredName(model, name)] = p.detach().cpu().contiguous();
        AtomicFile.Write(Path.Combine(directory, WeightsFile), s => Safetensors.SaveStateDict(s, state, leaveOpen: true));
        foreach (var t in state.Values) t.Dispose();
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(info, HarnessJson.Options));
    }

    public static CheckpointInfo ReadInfo(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath))
            throw new UserInputException($"{directory}: not a checkpoint folder.", [$"{configPath}: missing; a checkpoint folder holds {ConfigFile} and {WeightsFile} (made by `harness train`)."]);
        if (HuggingFaceConfig.IsHuggingFaceFolder(directory))
            throw new UserInputException($"{directory}: a Hugging Face model folder, not a harness checkpoint.",
                [$"{configPath}: names architectures (Hugging Face); this step needs a checkpoint made by `harness train`. `harness eval`, `harness sample` and `harness export` take Hugging Face folders."]);
        const string Fix = "a harness checkpoint folder is written by `harness train` or kept by `harness run` (units/KEY/model); "
                           + "a Hugging Face or other config.json is not one (`harness export` goes the other way)";
        CheckpointInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(configPath), HarnessJson.Options);
        }
        catch (JsonException e)
        {
            // Name the key and say what the file is not, instead of the serializer's "could not be mapped to any .NET member".
            var key = e.Path is { Length: > 2 } path ? path[2..] : "?";
            var why = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? $"key '{key}' is not a field of a harness checkpoint config"
                    : e.Message.Contains("missing required", StringComparison.OrdinalIgnoreCase) ? "a required field is missing"
                    : $"at {e.Path ?? "$"} the value does not have the expected type (line {e.LineNumber + 1})";
            throw new UserInputException($"{configPath}: not a harness checkpoint config.", [$"{configPath}: {why}; {Fix}."]);
        }
        if (info?.Model is null)
            throw new UserInputException($"{configPath}: not a harness checkpoint config.", [$"{configPath}: it has no \"model\" shape; {Fix}."]);
        return info;
    }

    /// <summary>Loads a GPT checkpoint (a teacher, a re-evaluated student); a Llama-family one is refused here, see <see cref="LoadModel"/>.</summary>
    public static (Gpt Model, CheckpointInfo Info) Load(string directory, Device? device = null)
    {
        var info = ReadInfo(directory);
        if (info.Model.IsLlama)
            throw new UserInputException($"{directory}: a Llama-family checkpoint (\"architecture\": \"llama\"), and this step takes GPT checkpoints only.",
                [$"{Path.Combine(directory, ConfigFile)}: $.model.architecture is \"llama\"; `harness eval`, `harness sample` and `harness export` read it, or export it with `harness export --format hf` and use the exported folder."]);
        var (model, _) = LoadModel(directory, device);
        return ((Gpt)model, info);
    }

    /// <summary>Loads a checkpoint of either architecture onto <paramref name="device"/>, refusing one whose tensor names or
    /// shapes do not match its config.</summary>
    public static (CausalLm Model, CheckpointInfo Info) LoadModel(string directory, Device? device = null)
    {
        var info = ReadInfo(directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weightsPath))
            throw new UserInputException($"{directory}: checkpoint has no weights.", [$"{weightsPath}: missing; re-run `harness train` to regenerate it."]);
        var problems = info.Model.Validate($"{ConfigFile}:$.model").ToList();
        if (problems.Count > 0) throw new UserInputException($"{directory}: invalid checkpoint config.", problems);
        SafetensorsCheck.ThrowIfInvalid(weightsPath,
            $"fix: restore {WeightsFile} from a backup or a fresh clone (git checkout -- {weightsPath}), or retrain it with `harness train` and the model's train config (e.g. experiments/teacher-tiny.json).");
        CausalLm model = info.Model.IsLlama ? new Llama(info.Model.ToLlama()) : new Gpt(info.Model);
        var stored = Safetensors.LoadStateDict(weightsPath);
        try
        {
            var expected = model.named_parameters().ToDictionary(p => StoredName(model, p.name), p => p.parameter);
            foreach (var (name, p) in expected)
            {
                if (!stored.TryGetValue(name, out var t))
                    problems.Add($"{weightsPath}: tensor '{name}' is missing (expected shape [{string.Join(", ", p.shape)}]).");
                else if (!t.shape.SequenceEqual(p.shape))
                    problems.Add($"{weightsPath}: tensor '{name}' has shape [{string.Join(", ", t.shape)}], config.json implies [{string.Join(", ", p.shape)}].");
            }
            foreach (var name in stored.Keys.Where(k => !expected.ContainsKey(k)))
                problems.Add($"{weightsPath}: unexpected tensor '{name}' (not part of this model; was it saved with another config?).");
            if (problems.Count > 0)
            {
                model.Dispose();
                throw new UserInputException($"{directory}: checkpoint does not match its config.json.", problems);
            }
            using (no_grad())
                foreach (var (name, p) in expected)
                {
                    using var scope = NewDisposeScope();
                    p.copy_(stored[name].to_type(p.dtype));
                    long bad = p.isfinite().logical_not().sum().item<long>();
                    if (bad > 0) problems.Add($"{weightsPath}: tensor '{name}' holds {bad} non-finite value(s) (NaN or ±Inf).");
                }
            if (problems.Count > 0)
            {
                model.Dispose();
                throw new UserInputException($"{directory}: checkpoint has non-finite weights; the model diverged or the file is damaged.",
                    [.. problems, $"fix: retrain it with `harness train` (lower learning_rate if it diverged) or restore {WeightsFile}."]);
            }
        }
        finally
        {
            foreach (var t in stored.Values) t.Dispose();
        }
        if (device is not null) model.to(device);
        return (model, info);
    }

    /// <summary>SHA-256 of the weights file: recorded in manifests so a result traces back to the exact teacher.</summary>
    public static string Hash(string directory)
    {
        using var stream = File.OpenRead(Path.Combine(directory, WeightsFile));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
