using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>An imported Hugging Face model: the module (fp32) and what its config.json said.</summary>
public sealed record ImportedModel(CausalLm Model, HuggingFaceConfig Config, string Folder) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Loads a Hugging Face model folder (config.json + model.safetensors, or shards listed by model.safetensors.index.json)
/// into <see cref="Gpt"/> or <see cref="Llama"/>.  Weights stored as F32, F16 or BF16 are converted to float32 exactly
/// (every F16 and BF16 value is a float32).  GPT-2's Conv1D weights (in, out) are transposed to nn.Linear's (out, in);
/// names may carry transformers' <c>transformer.</c> prefix or not (OpenAI's gpt2 folder has none).  Constant buffers
/// some exporters store (GPT-2's <c>attn.bias</c>/<c>attn.masked_bias</c> causal masks, Llama's <c>rotary_emb.inv_freq</c>)
/// are skipped; so is <c>lm_head.weight</c> of a tied model (transformers ties it to the embedding on load).
/// Every missing, unexpected, misshapen or non-finite tensor is reported at once.
/// </summary>
public static class HuggingFaceImport
{
    public const string IndexFile = "model.safetensors.index.json";
    static readonly string[] Conv1D = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    /// <summary>One tensor's place in a safetensors file.</summary>
    public sealed record StoredTensor(string File, string Dtype, long[] Shape, long Offset, long Length);

    /// <param name="dtype">Compute dtype (default float32).  bf16/fp16 convert after the exact fp32 load; RMSNorm and
    /// the rotary angles still run in float32 (as transformers does), and callers take the softmax in float32.</param>
    /// <param name="batch">Rows × window of the largest forward the caller will run (the cache-fill batch): the memory
    /// check counts their activations.  Default one window of min(context, 2048) tokens.</param>
    /// <param name="availableBytes">Memory the model may use (default: the process's on CPU, unchecked on CUDA).</param>
    public static ImportedModel Load(string directory, Device? device = null, ScalarType? dtype = null, (int Rows, int Window)? batch = null, long? availableBytes = null)
    {
        if (dtype is { } d && d is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new UserInputException($"{directory}: inference dtype {d} is not supported; use float32, bfloat16 or float16.");
        var config = HuggingFaceConfig.Read(directory);
        var stored = ReadIndex(directory);
        long available = availableBytes ?? (device is null || device.type == TorchSharp.DeviceType.CPU ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : long.MaxValue);
        var (rows, window) = batch ?? (1, Math.Min(config.Gpt?.ContextLength ?? config.Llama!.ContextLength, 2048));
        long largest = stored.Values.Select(t => t.Length / (t.Dtype == "F32" ? 4 : 2)).DefaultIfEmpty(0).Max();
        long need = RequiredBytes(config, dtype ?? ScalarType.Float32, rows, window, largest);
        if (need > available * 0.9)
            throw new UserInputException($"{directory}: the model needs about {Harness.IO.DiskSpace.Bytes(need)} of memory, {Harness.IO.DiskSpace.Bytes(available)} is available.",
                [$"{directory}: {Parameters(config):N0} parameters loaded in float32, then {rows} × {window} tokens of activations and logits at {dtype ?? ScalarType.Float32}; "
                 + "use a smaller model or batch (kd cache-fill rows, context), or a machine with more memory."]);
        CausalLm model = config.Gpt is { } g ? new Gpt(g, tanhGelu: config.TanhGelu) : new Llama(config.Llama!);
        try
        {
            CopyWeights(model, config, stored, directory);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        if (dtype is { } target && target != ScalarType.Float32)
        {
            if (model is Gpt) { model.Dispose(); throw new UserInputException($"{directory}: reduced-precision inference is implemented for the Llama family only; load GPT-2 in float32."); }
            model.ConvertTo(target);
        }
        if (device is not null) model.MoveTo(device);
        return new ImportedModel(model, config, directory);
    }

    /// <summary>Parameters of the configured model (<see cref="ModelMath"/>'s formulas).</summary>
    public static long Parameters(HuggingFaceConfig config) => config.Gpt is { } g ? ModelMath.TotalParams(g) : ModelMath.TotalParams(config.Llama!);

    /// <summary>
    /// Peak memory of importing and running the model without gradients, the larger of
    /// <list type="bullet">
    /// <item>load: 4·P (weights in float32, as loaded) + 12·n_max (the largest stored tensor staged as bytes, float32 values
    /// and a tensor);</item>
    /// <item>inference: bytes(dtype)·P + one layer's transients at B×T — hidden, q/k/v/o and residual (6·C), the MLP's
    /// widest intermediate (3·I for SwiGLU, 4C·2 for GPT-2), the attention scores H·T — at bytes(dtype), plus the logits
    /// B·T·V three times in float32 (logits, float32 copy, log-softmax).  No activation is kept across layers under no_grad.</item>
    /// </list>
    /// </summary>
    public static long RequiredBytes(HuggingFaceConfig config, ScalarType dtype, int rows, int window, long largestTensorValues)
    {
        long p = Parameters(config);
        double bytes = dtype == ScalarType.Float32 ? 4 : 2, bt = (double)rows * window;
        double c, inter, heads, v;
        if (config.Gpt is { } g) { c = g.DModel; inter = 8.0 * g.DModel; heads = g.Heads; v = g.VocabSize; }
        else { var l = config.Llama!; c = l.DModel; inter = 3.0 * l.Intermediate; heads = l.Heads; v = l.VocabSize; }
        double load = 4.0 * p + 12.0 * largestTensorValues;
        double inference = bytes * p + bt * (6 * c + inter + heads * window) * bytes + 3 * bt * v * 4;
        double total = Math.Max(load, inference);
        return total > long.MaxValue / 2 ? long.MaxValue / 2 : (long)total;
    }

    /// <summary>Stored tensor name → where it lives, over model.safetensors or every shard of the index.</summary>
    public static Dictionary<string, StoredTensor> ReadIndex(string directory)
    {
        var single = Path.Combine(directory, Checkpoint.WeightsFile);
        var index = Path.Combine(directory, IndexFile);
        List<string> files;
        if (File.Exists(index))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(index));
                files = doc.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Value.GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new UserInputException($"{index}: unreadable shard index.", [$"{index}: needs {{\"weight_map\": {{tensor name: shard file}}}} ({e.Message})."]);
            }
            var missing = files.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
            if (missing.Count > 0)
                throw new UserInputException($"{directory}: shards listed in {IndexFile} are missing.", [.. missing.Select(f => $"{Path.Combine(directory, f)}: missing; download the whole folder again.")]);
        }
        else if (File.Exists(single)) files = [Checkpoint.WeightsFile];
        else
            throw new UserInputException($"{directory}: no weights.",
                [$"{directory}: needs {Checkpoint.WeightsFile} or {IndexFile} with its shards (PyTorch .bin weights are not read; convert them to safetensors)."]);
        var result = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        var prefix = new byte[8];
        foreach (var file in files)
        {
            var path = Path.Combine(directory, file);
            SafetensorsCheck.ThrowIfInvalid(path, $"fix: download {file} again.");
            using var stream = File.OpenRead(path);
            stream.ReadExactly(prefix);
            long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            using var doc = JsonDocument.Parse(header);
            foreach (var t in doc.RootElement.EnumerateObject())
            {
                if (t.Name == "__metadata__") continue;
                var offsets = t.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                result[t.Name] = new StoredTensor(path, t.Value.GetProperty("dtype").GetString()!,
                    t.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray(), 8 + headerLength + offsets[0], offsets[1] - offsets[0]);
            }
        }
        return result;
    }

    /// <summary>The harness parameter name a stored name feeds (null: a constant buffer to skip).</summary>
    static string? ParameterName(string stored, HuggingFaceConfig config)
    {
        if (config.Gpt is not null)
        {
            if (stored.EndsWith(".attn.bias", StringComparison.Ordinal) || stored.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) return null;
            if (stored == "lm_head.weight") return config.Gpt.TieEmbeddings ? null : stored;
            return stored.StartsWith("transformer.", StringComparison.Ordinal) ? stored["transformer.".Length..] : stored;
        }
        if (stored.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)) return null;
        if (stored == "lm_head.weight" && config.Llama!.TieEmbeddings) return null;
        return stored;
    }

    static void CopyWeights(CausalLm model, HuggingFaceConfig config, Dictionary<string, StoredTensor> stored, string directory)
    {
        var problems = new List<string>();
        var expected = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var sources = new Dictionary<string, (string Stored, StoredTensor Tensor)>();
        foreach (var (name, t) in stored)
        {
            var target = ParameterName(name, config);
            if (target is null) continue;
            if (!expected.TryGetValue(target, out var p))
            {
                problems.Add($"{t.File}: unexpected tensor '{name}' (no such parameter in a {config.Architecture} with this config.json).");
                continue;
            }
            if (t.Dtype is not ("F32" or "F16" or "BF16"))
                problems.Add($"{t.File}: tensor '{name}' is stored as {t.Dtype}; supported dtypes are F32, F16 and BF16 (quantised weights are not read).");
            var shape = config.Gpt is not null && Conv1D.Any(name.EndsWith) ? t.Shape.Reverse().ToArray() : t.Shape;
            if (!shape.SequenceEqual(p.shape))
                problems.Add($"{t.File}: tensor '{name}' has shape [{string.Join(", ", t.Shape)}], config.json implies [{string.Join(", ", config.Gpt is not null && Conv1D.Any(name.EndsWith) ? p.shape.Reverse() : p.shape)}].");
            sources[target] = (name, t);
        }
        foreach (var (name, p) in expected)
            if (!sources.ContainsKey(name))
                problems.Add($"{directory}: tensor for parameter '{name}' is missing (expected shape [{string.Join(", ", p.shape)}]).");
        if (problems.Count > 0) throw new UserInputException($"{directory}: weights do not match config.json ({config.Architecture}).", problems);
        using (no_grad())
            foreach (var (name, p) in expected)
            {
                using var scope = NewDisposeScope();
                var (storedName, t) = sources[name];
                var values = ReadFloat32(t);
                var source = tensor(values, t.Shape);
                if (config.Gpt is not null && Conv1D.Any(storedName.EndsWith)) source = source.t();
                p.copy_(source);
                long bad = p.isfinite().logical_not().sum().item<long>();
                if (bad > 0) problems.Add($"{t.File}: tensor '{storedName}' holds {bad} non-finite value(s) (NaN or ±Inf).");
            }
        if (problems.Count > 0) throw new UserInputException($"{directory}: non-finite weights; the file is damaged.", problems);
    }

    /// <summary>Reads one stored tensor as float32 values (F16 and BF16 widen exactly).</summary>
    public static float[] ReadFloat32(StoredTensor t)
    {
        var bytes = new byte[t.Length];
        using (var stream = File.OpenRead(t.File))
        {
            stream.Seek(t.Offset, SeekOrigin.Begin);
            stream.ReadExactly(bytes);
        }
        switch (t.Dtype)
        {
            case "F32":
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case "F16":
            {
                var half = MemoryMarshal.Cast<byte, Half>(bytes);
                var result = new float[half.Length];
                for (int i = 0; i < half.Length; i++) result[i] = (float)half[i];
                return result;
            }
            case "BF16":
            {
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                var result = new float[raw.Length];
                for (int i = 0; i < raw.Length; i++) result[i] = BitConverter.Int32BitsToSingle(raw[i] << 16); // bf16 = the top half of a float32
                return result;
            }
            default:
                throw new UserInputException($"{t.File}: dtype {t.Dtype} is not supported; supported dtypes are F32, F16 and BF16.");
        }
    }
}
