using System.Text.Json;
using Harness.Config;

namespace Harness.Modeling;

/// <summary>
/// A Hugging Face model folder's <c>config.json</c>, read into the harness's own shapes: <see cref="GptConfig"/> for
/// <c>GPT2LMHeadModel</c>, <see cref="LlamaConfig"/> for <c>LlamaForCausalLM</c>, <c>Qwen2ForCausalLM</c> and
/// <c>MistralForCausalLM</c>.  Every field that changes the forward pass is either implemented or refused with its name
/// and the supported values; a field the reader does not know is refused too (README "Importing Hugging Face models").
/// </summary>
public sealed record HuggingFaceConfig(string Architecture, GptConfig? Gpt, LlamaConfig? Llama, bool TanhGelu, string? StoredDtype)
{
    public const string Gpt2 = "GPT2LMHeadModel";
    public const string LlamaArchitecture = "LlamaForCausalLM";
    public const string Qwen2 = "Qwen2ForCausalLM";
    public const string Mistral = "MistralForCausalLM";
    public static readonly string[] Supported = [Gpt2, LlamaArchitecture, Qwen2, Mistral];

    /// <summary>Fields that do not change the forward pass of an inference-mode model (ids, dropout, bookkeeping).</summary>
    static readonly HashSet<string> Bookkeeping =
    [
        "architectures", "model_type", "transformers_version", "torch_dtype", "dtype", "use_cache", "bos_token_id", "eos_token_id",
        "pad_token_id", "initializer_range", "attention_dropout", "_name_or_path", "is_llama_config", "pretraining_tp",
        "tokenizer_class", "resid_pdrop", "embd_pdrop", "attn_pdrop", "summary_activation", "summary_first_dropout",
        "summary_proj_to_labels", "summary_type", "summary_use_proj", "task_specific_params", "n_ctx", "output_attentions",
        "output_hidden_states", "return_dict", "torchscript", "id2label", "label2id", "max_window_layers", "sliding_window",
        "use_sliding_window", "rope_interleaved", "layer_types", "reorder_and_upcast_attn", "add_cross_attention",
        "scale_attn_weights", "scale_attn_by_inverse_layer_idx", "layer_norm_epsilon", "activation_function", "n_inner",
    ];

    /// <summary>True when <paramref name="directory"/>'s config.json is a Hugging Face config (it names architectures or a
    /// model_type), not a harness checkpoint's.</summary>
    public static bool IsHuggingFaceFolder(string directory)
    {
        var path = Path.Combine(directory, Checkpoint.ConfigFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object
                   && (doc.RootElement.TryGetProperty("architectures", out _) || doc.RootElement.TryGetProperty("model_type", out _))
                   && !doc.RootElement.TryGetProperty("model", out _);
        }
        catch (JsonException) { return false; }
    }

    public static HuggingFaceConfig Read(string directory)
    {
        var path = Path.Combine(directory, Checkpoint.ConfigFile);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UserInputException($"{path}: unreadable config.json.", [$"{path}: {e.Message}"]); }
        using (doc)
        {
            var reader = new Reader(path, doc.RootElement);
            var architectures = doc.RootElement.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : [];
            if (architectures.Length != 1 || !Supported.Contains(architectures[0]))
                throw new UserInputException($"{path}: unsupported architecture.",
                    [$"{path}: architectures = [{string.Join(", ", architectures.Select(s => $"\"{s}\""))}]: must be one of {string.Join(", ", Supported)}."]);
            var architecture = architectures[0];
            var result = architecture == Gpt2 ? ReadGpt2(reader) : ReadLlama(reader, architecture);
            foreach (var p in doc.RootElement.EnumerateObject())
                if (!reader.Known.Contains(p.Name) && !Bookkeeping.Contains(p.Name))
                    reader.Problems.Add($"{path}: field \"{p.Name}\" ({p.Value.GetRawText()}) is not one this importer knows for {architecture}; if it changes the maths it needs implementing, if not add it to HuggingFaceConfig's bookkeeping list.");
            if (reader.Problems.Count > 0)
                throw new UserInputException($"{path}: {architecture} config has fields this importer does not implement.", reader.Problems);
            return result with { StoredDtype = reader.String("torch_dtype", null) ?? reader.String("dtype", null) };
        }
    }

    static HuggingFaceConfig ReadGpt2(Reader r)
    {
        int d = r.Int("n_embd"), layers = r.Int("n_layer"), heads = r.Int("n_head");
        var activation = r.String("activation_function", "gelu_new");
        if (activation is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh"))
            r.Problems.Add($"{r.Path}: activation_function = \"{activation}\": supported values are \"gelu\" (erf), \"gelu_new\" and \"gelu_pytorch_tanh\" (tanh approximation).");
        r.Expect("layer_norm_epsilon", 1e-5, "1e-05 (the harness's LayerNorm ε)");
        r.ExpectBool("scale_attn_weights", true);
        r.ExpectBool("scale_attn_by_inverse_layer_idx", false);
        r.ExpectBool("add_cross_attention", false);
        if (r.Has("n_inner") && r.IntOrNull("n_inner") is int inner && inner != 4 * d)
            r.Problems.Add($"{r.Path}: n_inner = {inner}: supported values are null or 4 × n_embd = {4 * d}.");
        var config = new GptConfig(r.Int("vocab_size"), r.Int("n_positions"), layers, heads, d, 0.0, r.Bool("tie_word_embeddings", true));
        r.Problems.AddRange(config.Validate($"{r.Path}"));
        return new HuggingFaceConfig(Gpt2, config, null, activation != "gelu", null);
    }

    static HuggingFaceConfig ReadLlama(Reader r, string architecture)
    {
        int d = r.Int("hidden_size"), heads = r.Int("num_attention_heads");
        int kvHeads = r.IntOrNull("num_key_value_heads") ?? heads;
        int headDim = r.IntOrNull("head_dim") ?? (heads > 0 ? d / heads : 0);
        var act = r.String("hidden_act", "silu");
        if (act != "silu") r.Problems.Add($"{r.Path}: hidden_act = \"{act}\": the supported value is \"silu\" (SwiGLU).");
        if (heads > 0 && kvHeads > 0 && heads % kvHeads != 0)
            r.Problems.Add($"{r.Path}: num_key_value_heads = {kvHeads} must divide num_attention_heads = {heads}.");
        if (headDim % 2 != 0) r.Problems.Add($"{r.Path}: head_dim = {headDim} must be even for rotary embeddings.");
        if (r.Has("rope_interleaved") && r.Bool("rope_interleaved", false))
            r.Problems.Add($"{r.Path}: rope_interleaved = true: the supported value is false (transformers' half-split rotary layout).");
        bool qkvBias = false, outputBias = false, mlpBias = false;
        switch (architecture)
        {
            case LlamaArchitecture:
                qkvBias = outputBias = r.Bool("attention_bias", false);
                mlpBias = r.Bool("mlp_bias", false);
                break;
            case Qwen2:
                qkvBias = true;   // Qwen2Attention: q, k, v projections with bias, o_proj without
                if (r.Bool("use_sliding_window", false))
                    r.Problems.Add($"{r.Path}: use_sliding_window = true: the supported value is false (full causal attention).");
                break;
            case Mistral:
                if (r.Has("sliding_window") && r.IntOrNull("sliding_window") is int window)
                    r.Problems.Add($"{r.Path}: sliding_window = {window}: the supported value is null (full causal attention); Mistral with a sliding window is not implemented.");
                break;
        }
        if (r.Has("layer_types") && r.Element("layer_types") is { ValueKind: JsonValueKind.Array } types
            && types.EnumerateArray().Any(t => t.GetString() != "full_attention"))
            r.Problems.Add($"{r.Path}: layer_types contains \"{types.EnumerateArray().First(t => t.GetString() != "full_attention").GetString()}\": the supported value is \"full_attention\" for every layer.");
        var scaling = ReadRopeScaling(r);
        var config = new LlamaConfig(r.Int("vocab_size"), r.Int("max_position_embeddings"), r.Int("num_hidden_layers"), heads, kvHeads, d,
            headDim, r.Int("intermediate_size"), r.Double("rms_norm_eps", 1e-6), r.Double("rope_theta", 10000.0), scaling,
            qkvBias, outputBias, mlpBias, r.Bool("tie_word_embeddings", false));
        foreach (var (name, value) in new[] { ("vocab_size", config.VocabSize), ("max_position_embeddings", config.ContextLength), ("num_hidden_layers", config.Layers),
                     ("num_attention_heads", heads), ("num_key_value_heads", kvHeads), ("hidden_size", d), ("head_dim", headDim), ("intermediate_size", config.Intermediate) })
            if (value <= 0) r.Problems.Add($"{r.Path}: {name} = {value} must be a positive integer.");
        return new HuggingFaceConfig(architecture, null, config, false, null);
    }

    static Llama3RopeScaling? ReadRopeScaling(Reader r)
    {
        if (!r.Has("rope_scaling") || r.Element("rope_scaling") is not { ValueKind: JsonValueKind.Object } s) return null;
        string? type = s.TryGetProperty("rope_type", out var t) ? t.GetString() : s.TryGetProperty("type", out var t2) ? t2.GetString() : null;
        if (type == "default") return null;
        if (type != "llama3")
        {
            r.Problems.Add($"{r.Path}: rope_scaling.rope_type = \"{type}\": supported values are null, \"default\" and \"llama3\".");
            return null;
        }
        double Field(string name)
        {
            if (s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            r.Problems.Add($"{r.Path}: rope_scaling.{name}: a number is required for rope_type \"llama3\".");
            return double.NaN;
        }
        foreach (var p in s.EnumerateObject())
            if (p.Name is not ("rope_type" or "type" or "factor" or "low_freq_factor" or "high_freq_factor" or "original_max_position_embeddings"))
                r.Problems.Add($"{r.Path}: rope_scaling.{p.Name} is not a llama3 rope_scaling field (factor, low_freq_factor, high_freq_factor, original_max_position_embeddings).");
        var scaling = new Llama3RopeScaling(Field("factor"), Field("low_freq_factor"), Field("high_freq_factor"), (int)Field("original_max_position_embeddings"));
        if (!(scaling.HighFreqFactor > scaling.LowFreqFactor))
            r.Problems.Add($"{r.Path}: rope_scaling.high_freq_factor = {scaling.HighFreqFactor} must exceed low_freq_factor = {scaling.LowFreqFactor}.");
        return scaling;
    }

    /// <summary>Typed field access that records each problem (missing, wrong type) instead of throwing at the first.</summary>
    sealed class Reader(string path, JsonElement root)
    {
        public string Path { get; } = path;
        public List<string> Problems { get; } = [];
        public HashSet<string> Known { get; } = [];

        public bool Has(string name) { Known.Add(name); return root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null; }
        public JsonElement? Element(string name) => Has(name) ? root.GetProperty(name) : null;

        public int Int(string name) => IntOrNull(name) ?? Missing(name, "an integer");
        public int? IntOrNull(string name)
        {
            if (!Has(name)) return null;
            var v = root.GetProperty(name);
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
            Problems.Add($"{Path}: {name} = {v.GetRawText()} must be an integer.");
            return 0;
        }
        public double Double(string name, double fallback)
        {
            if (!Has(name)) return fallback;
            var v = root.GetProperty(name);
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            Problems.Add($"{Path}: {name} = {v.GetRawText()} must be a number.");
            return fallback;
        }
        public bool Bool(string name, bool fallback)
        {
            if (!Has(name)) return fallback;
            var v = root.GetProperty(name);
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            Problems.Add($"{Path}: {name} = {v.GetRawText()} must be true or false.");
            return fallback;
        }
        public string? String(string name, string? fallback)
        {
            if (!Has(name)) return fallback;
            var v = root.GetProperty(name);
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            Problems.Add($"{Path}: {name} = {v.GetRawText()} must be a string.");
            return fallback;
        }
        public void Expect(string name, double value, string supported)
        {
            if (Has(name) && Math.Abs(Double(name, value) - value) > 1e-12)
                Problems.Add($"{Path}: {name} = {root.GetProperty(name).GetRawText()}: the supported value is {supported}.");
        }
        public void ExpectBool(string name, bool value)
        {
            if (Has(name) && Bool(name, value) != value)
                Problems.Add($"{Path}: {name} = {(!value).ToString().ToLowerInvariant()}: the supported value is {value.ToString().ToLowerInvariant()}.");
        }

        int Missing(string name, string what)
        {
            Problems.Add($"{Path}: {name} is missing; {what} is required.");
            return 0;
        }
    }
}
