namespace Harness.Config;

/// <summary>Shape of a GPT-style decoder-only language model (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners").</summary>
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
    };

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
        return problems;
    }

    static IEnumerable<int> Divisors(int n) => Enumerable.Range(1, n).Where(d => n % d == 0);
}
