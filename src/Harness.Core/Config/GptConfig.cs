namespace Harness.Config;

/// <summary>
/// Shape of a decoder-only student or harness-trained teacher: GPT-2 blocks (Radford et al. 2019, "Language Models are
/// Unsupervised Multitask Learners") by default, or Llama-family blocks when <see cref="Architecture"/> is
/// <c>"llama"</c> (RMSNorm, RoPE, grouped-query attention, SwiGLU: <see cref="ToLlama"/>, README "Llama-style students").
/// The Llama fields are null for GPT shapes and left out of the JSON, so a GPT shape's config hash and unit keys are
/// the ones it had before they existed.
/// </summary>
/// <param name="VocabSize">Token vocabulary size (set from the tokenizer when 0 in a preset).</param>
/// <param name="ContextLength">Maximum sequence length T (learned position embeddings).</param>
/// <param name="Layers">Number of transformer blocks L.</param>
/// <param name="Heads">Attention heads H; must divide <paramref name="DModel"/>.</param>
/// <param name="DModel">Residual width C.</param>
/// <param name="Dropout">Dropout on embeddings, attention output and MLP output (training only).</param>
/// <param name="TieEmbeddings">Share the token embedding with the output head (GPT-2 does).</param>
public sealed record GptConfig(int VocabSize, int ContextLength, int Layers, int Heads, int DModel, double Dropout = 0.0, bool TieEmbeddings = true)
{
    public int HeadDim => DModel / Heads;

    public const string Gpt2Architecture = "gpt2";
    public const string LlamaArchitecture = "llama";
    public static readonly string[] Architectures = [Gpt2Architecture, LlamaArchitecture];

    /// <summary>"gpt2" (null: the default) or "llama".</summary>
    public string? Architecture { get; init; }
    /// <summary>Llama only: key/value heads H_kv (grouped-query attention, Ainslie et al. 2023); null = <see cref="Heads"/>.</summary>
    public int? KvHeads { get; init; }
    /// <summary>Llama only: SwiGLU width I; null = <see cref="DefaultIntermediate"/>(d_model).</summary>
    public int? Intermediate { get; init; }
    /// <summary>Llama only: RoPE base θ (Su et al. 2021); null = 10,000 as in Llama 1/2.</summary>
    public double? RopeTheta { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public bool IsLlama => Architecture == LlamaArchitecture;

    /// <summary>
    /// SwiGLU width for d_model C: ⌈(8/3)·C / 16⌉·16.  Two-thirds of GPT's 4C keeps the MLP's parameters at ≈ 8C² with
    /// three matrices instead of two (Shazeer 2020 §2; Touvron et al. 2023 §2.2 use 2/3·4d), rounded up to a multiple of 16.
    /// </summary>
    public static int DefaultIntermediate(int dModel) => (dModel + 5) / 6 * 16;

    /// <summary>The Llama module shape of a <c>"llama"</c> student: head_dim = C/H, RMSNorm ε = 1e-5 (Llama 2), no biases.</summary>
    public LlamaConfig ToLlama() => new(VocabSize, ContextLength, Layers, Heads, KvHeads ?? Heads, DModel, HeadDim,
        Intermediate ?? DefaultIntermediate(DModel), RmsNormEps: 1e-5, RopeTheta: RopeTheta ?? 10_000.0, TieEmbeddings: TieEmbeddings);

    /// <summary>Named shapes.  Vocab 0 means "take it from the tokenizer".  Sizes chosen to span &gt;10× in parameters.</summary>
    public static IReadOnlyDictionary<string, GptConfig> Presets { get; } = new Dictionary<string, GptConfig>
    {
        ["pico"] = new(0, 128, 1, 2, 32),
        ["nano"] = new(0, 128, 2, 2, 48),
        ["micro"] = new(0, 128, 2, 4, 64),
        ["mini"] = new(0, 128, 3, 4, 96),
        ["small"] = new(0, 128, 4, 4, 128),
        ["teacher-tiny"] = new(0, 128, 6, 4, 256),
        // GPU-sized presets (tens of millions of parameters).
        ["gpu-s"] = new(0, 512, 6, 6, 384),
        ["gpu-m"] = new(0, 512, 8, 8, 512),
        ["gpu-l"] = new(0, 512, 12, 12, 768),
        // Llama-family students (README "Llama-style students"): the GPT shapes above with Llama blocks, grouped-query
        // attention at H/2 key/value heads (SmolLM's 3:1 and Llama-2-70B's 8:1 are the same idea), head tied to the
        // embedding as GPT's presets and SmolLM/SmolLM2 are.
        ["llama-pico"] = Llama(new(0, 128, 1, 2, 32), kvHeads: 1),
        ["llama-nano"] = Llama(new(0, 128, 2, 2, 48), kvHeads: 1),
        ["llama-micro"] = Llama(new(0, 128, 2, 4, 64), kvHeads: 2),
        ["llama-mini"] = Llama(new(0, 128, 3, 4, 96), kvHeads: 2),
        ["llama-small"] = Llama(new(0, 128, 4, 4, 128), kvHeads: 2),
        ["llama-teacher-tiny"] = Llama(new(0, 128, 6, 4, 256), kvHeads: 2),
        ["llama-gpu-s"] = Llama(new(0, 512, 6, 6, 384), kvHeads: 2),
        ["llama-gpu-m"] = Llama(new(0, 512, 8, 8, 512), kvHeads: 4),
        ["llama-gpu-l"] = Llama(new(0, 512, 12, 12, 768), kvHeads: 4),
    };

    static GptConfig Llama(GptConfig shape, int kvHeads) => shape with { Architecture = LlamaArchitecture, KvHeads = kvHeads };

    /// <summary>Every problem with this shape, each naming the JSON path, the value and the rule.</summary>
    public IReadOnlyList<string> Validate(string path)
    {
        var problems = new List<string>();
        void Positive(string name, int value)
        {
            if (value <= 0) problems.Add($"{path}.{name}: value {value} must be a positive integer.");
        }
        Positive("vocab_size", VocabSize);
        Positive("context_length", ContextLength);
        Positive("layers", Layers);
        Positive("heads", Heads);
        Positive("d_model", DModel);
        if (Heads > 0 && DModel > 0 && DModel % Heads != 0)
            problems.Add($"{path}.heads: value {Heads} must divide d_model ({DModel}); try heads = {string.Join(" or ", Divisors(DModel).Where(d => d <= 16))}.");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
            problems.Add($"{path}.dropout: value {Dropout} must be in [0, 1).");
        if (Architecture is not null && !Architectures.Contains(Architecture))
            problems.Add($"{path}.architecture: value \"{Architecture}\" is not an architecture; valid: {string.Join(", ", Architectures)}.");
        if (!IsLlama)
        {
            foreach (var (name, set) in new[] { ("kv_heads", KvHeads is not null), ("intermediate", Intermediate is not null), ("rope_theta", RopeTheta is not null) })
                if (set) problems.Add($"{path}.{name}: is a Llama-family field; set \"architecture\": \"llama\" or remove it.");
            return problems;
        }
        if (Dropout != 0)
            problems.Add($"{path}.dropout: value {Dropout} must be 0 for a Llama-family model (Llama has no dropout); remove it.");
        if (KvHeads is { } kv && (kv <= 0 || Heads <= 0 || Heads % kv != 0))
            problems.Add($"{path}.kv_heads: value {kv} must be a positive divisor of heads ({Heads}) (grouped-query attention shares each key/value head among heads / kv_heads query heads).");
        if (Intermediate is <= 0)
            problems.Add($"{path}.intermediate: value {Intermediate} must be a positive integer.");
        if (RopeTheta is { } theta && !(theta > 1 && double.IsFinite(theta)))
            problems.Add($"{path}.rope_theta: value {theta} must be a finite number > 1 (Llama 2 uses 10000, Llama 3 500000).");
        if (Heads > 0 && DModel > 0 && DModel % Heads == 0 && HeadDim % 2 != 0)
            problems.Add($"{path}.heads: head_dim d_model/heads = {HeadDim} must be even for rotary embeddings (RoPE rotates pairs); change heads or d_model.");
        return problems;
    }

    static IEnumerable<int> Divisors(int n) => Enumerable.Range(1, n).Where(d => n % d == 0);
}
