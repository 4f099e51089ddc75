using System.Text.Json.Nodes;
using TorchSharp.PyBridge;
using Harness.Config;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// Writes a checkpoint as a Hugging Face transformers <c>GPT2LMHeadModel</c> folder: <c>model.safetensors</c> with
/// GPT-2's names and layout, <c>config.json</c> with GPT-2's keys, and the tokenizer file.  GPT-2 implements its
/// projections as <c>Conv1D</c> (y = x·W + b, W of shape (in, out)), the transpose of nn.Linear's (out, in), so
/// c_attn, c_proj and c_fc weights are transposed (transformers' <c>load_tf_weights_in_gpt2</c> / nanoGPT's
/// <c>from_pretrained</c> do the same in the other direction).  A tied head stores no <c>lm_head.weight</c>
/// (<c>tie_word_embeddings: true</c>, as transformers saves GPT-2).  GELU is the exact erf form (<c>"gelu"</c>), LayerNorm ε = 1e-5.
/// A Llama-family student is written as <c>LlamaForCausalLM</c> (<see cref="Config(LlamaConfig)"/>).  A trained BPE
/// tokenizer is written as tokenizer.json too (<see cref="Harness.Data.HuggingFaceTokenizerWriter"/>).
/// </summary>
public static class HuggingFaceExport
{
    static readonly string[] Conv1D = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    /// <summary>GPT-2 tensor name → tensor (on CPU, contiguous), from the harness model.</summary>
    public static Dictionary<string, Tensor> StateDict(Gpt model)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in model.named_parameters())
        {
            var external = Checkpoint.ToExternalName(name);
            var t = p.detach().cpu();
            state[external] = (Conv1D.Any(external.EndsWith) ? t.t() : t).contiguous();
        }
        return state;
    }

    public static JsonObject Config(GptConfig c, bool tanhGelu = false) => new()
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["model_type"] = "gpt2",
        ["vocab_size"] = c.VocabSize,
        ["n_positions"] = c.ContextLength,
        ["n_ctx"] = c.ContextLength,
        ["n_embd"] = c.DModel,
        ["n_layer"] = c.Layers,
        ["n_head"] = c.Heads,
        ["n_inner"] = 4 * c.DModel,
        ["activation_function"] = tanhGelu ? "gelu_new" : "gelu",
        ["layer_norm_epsilon"] = 1e-5,
        ["resid_pdrop"] = c.Dropout,
        ["embd_pdrop"] = c.Dropout,
        ["attn_pdrop"] = c.Dropout,
        ["initializer_range"] = 0.02,
        ["scale_attn_weights"] = true,
        ["scale_attn_by_inverse_layer_idx"] = false,
        ["reorder_and_upcast_attn"] = false,
        ["tie_word_embeddings"] = c.TieEmbeddings,
        ["bos_token_id"] = null,
        ["eos_token_id"] = null,
        ["torch_dtype"] = "float32",
    };

    /// <summary>transformers' <c>LlamaForCausalLM</c> config for a <see cref="LlamaConfig"/> (what
    /// <see cref="HuggingFaceConfig"/> reads back).  Qwen2's q/k/v-only bias has no Llama spelling, so such a model is
    /// written as <c>Qwen2ForCausalLM</c>.</summary>
    public static JsonObject Config(LlamaConfig c)
    {
        bool qwen2 = c.QkvBias && !c.OutputBias;
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(qwen2 ? HuggingFaceConfig.Qwen2 : HuggingFaceConfig.LlamaArchitecture),
            ["model_type"] = qwen2 ? "qwen2" : "llama",
            ["vocab_size"] = c.VocabSize,
            ["max_position_embeddings"] = c.ContextLength,
            ["hidden_size"] = c.DModel,
            ["intermediate_size"] = c.Intermediate,
            ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads,
            ["num_key_value_heads"] = c.KvHeads,
            ["head_dim"] = c.HeadDim,
            ["hidden_act"] = "silu",
            ["rms_norm_eps"] = c.RmsNormEps,
            ["rope_theta"] = c.RopeTheta,
            ["rope_scaling"] = c.RopeScaling is { } s ? new JsonObject
            {
                ["rope_type"] = "llama3", ["factor"] = s.Factor, ["low_freq_factor"] = s.LowFreqFactor,
                ["high_freq_factor"] = s.HighFreqFactor, ["original_max_position_embeddings"] = s.OriginalContext,
            } : null,
            ["tie_word_embeddings"] = c.TieEmbeddings,
            ["torch_dtype"] = "float32",
        };
        if (!qwen2)
        {
            config["attention_bias"] = c.QkvBias;
            config["mlp_bias"] = c.MlpBias;
        }
        return config;
    }

    /// <summary>Writes the folder; returns the files written.  The source is a harness checkpoint (GPT-2 →
    /// <c>GPT2LMHeadModel</c>, a Llama-family student → <c>LlamaForCausalLM</c>) or a Hugging Face folder (re-exported in
    /// float32 with the tokenizer files this build reads).</summary>
    public static IReadOnlyList<string> Write(string checkpointDirectory, string outDirectory)
    {
        if (ModelFolder.IsHuggingFace(checkpointDirectory)) return WriteImported(checkpointDirectory, outDirectory);
        var (model, info) = Checkpoint.LoadModel(checkpointDirectory);
        using (model)
        {
            var files = WriteModel(model, tanhGelu: false, outDirectory).ToList();
            foreach (var name in Harness.Data.TokenizerLoader.CheckpointFiles(checkpointDirectory, info.TokenizerFile))
            {
                File.Copy(Path.Combine(checkpointDirectory, name), Path.Combine(outDirectory, name), overwrite: true);
                files.Add(Path.Combine(outDirectory, name));
            }
            // A trained BPE also as Hugging Face tokenizer.json + tokenizer_config.json (AutoTokenizer reads them; the
            // harness keeps reading the rank file, which ModelFolder finds first).
            if (info.TokenizerKind == TokenizerSpec.Bpe && info.TokenizerFile is { } rankFile)
                files.AddRange(Harness.Data.HuggingFaceTokenizerWriter.Write(Harness.Data.BpeVocabulary.Load(Path.Combine(checkpointDirectory, rankFile)),
                    outDirectory, model.ContextLength));
            return files;
        }
    }

    /// <summary>model.safetensors and config.json of <paramref name="model"/> in transformers' layout.</summary>
    static IReadOnlyList<string> WriteModel(CausalLm model, bool tanhGelu, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        Dictionary<string, Tensor> state;
        JsonObject config;
        if (model is Gpt gpt)
        {
            state = StateDict(gpt);
            config = Config(gpt.Config, tanhGelu);
        }
        else
        {
            var llama = (Llama)model;
            state = llama.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().contiguous());
            config = Config(llama.Config);
        }
        var weights = Path.Combine(outDirectory, "model.safetensors");
        AtomicFile.Write(weights, s => Safetensors.SaveStateDict(s, state, leaveOpen: true));
        foreach (var t in state.Values) t.Dispose();
        var configPath = Path.Combine(outDirectory, "config.json");
        AtomicFile.WriteAllText(configPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return [weights, configPath];
    }

    static IReadOnlyList<string> WriteImported(string sourceDirectory, string outDirectory)
    {
        using var imported = HuggingFaceImport.Load(sourceDirectory);
        var files = WriteModel(imported.Model, imported.Config.TanhGelu, outDirectory).ToList();
        // Every tokenizer file the source holds (ours and Hugging Face's), so the export reads back as the source does.
        foreach (var name in new[] { Harness.Data.TokenizerLoader.TiktokenFileName, Harness.Data.TokenizerLoader.DescriptorFileName,
                                     Harness.Data.TokenizerLoader.HuggingFaceFileName, Harness.Data.TokenizerLoader.SentencePieceFileName, "tokenizer_config.json" })
            if (File.Exists(Path.Combine(sourceDirectory, name)))
            {
                File.Copy(Path.Combine(sourceDirectory, name), Path.Combine(outDirectory, name), overwrite: true);
                files.Add(Path.Combine(outDirectory, name));
            }
        return files;
    }
}
