namespace Harness.Config;

/// <summary>A model shape in a config: a named preset, optionally with fields overridden.</summary>
public sealed record ModelSpec : IValidatable
{
    public string? Preset { get; init; }
    public int? ContextLength { get; init; }
    public int? Layers { get; init; }
    public int? Heads { get; init; }
    public int? DModel { get; init; }
    public double? Dropout { get; init; }
    public bool? TieEmbeddings { get; init; }
    /// <summary>"gpt2" or "llama" (README "Llama-style students"); null keeps the preset's.</summary>
    public string? Architecture { get; init; }
    public int? KvHeads { get; init; }
    public int? Intermediate { get; init; }
    public double? RopeTheta { get; init; }

    public IReadOnlyList<string> Validate(string path)
    {
        if (Preset is not null && !GptConfig.Presets.ContainsKey(Preset))
            return [$"{path}.preset: value \"{Preset}\" is not a preset; valid: {string.Join(", ", GptConfig.Presets.Keys)}."];
        if (Preset is null && (ContextLength is null || Layers is null || Heads is null || DModel is null))
            return [$"{path}: without a preset, context_length, layers, heads and d_model are all required (or set \"preset\": one of {string.Join(", ", GptConfig.Presets.Keys)})."];
        return Resolve(vocabSize: 1).Validate(path).Where(p => !p.Contains(".vocab_size")).ToList();
    }

    /// <summary>The concrete shape for a tokenizer with <paramref name="vocabSize"/> tokens.</summary>
    public GptConfig Resolve(int vocabSize)
    {
        var b = Preset is not null ? GptConfig.Presets[Preset] : new GptConfig(0, 0, 0, 0, 0);
        return b with
        {
            VocabSize = vocabSize,
            ContextLength = ContextLength ?? b.ContextLength,
            Layers = Layers ?? b.Layers,
            Heads = Heads ?? b.Heads,
            DModel = DModel ?? b.DModel,
            Dropout = Dropout ?? b.Dropout,
            TieEmbeddings = TieEmbeddings ?? b.TieEmbeddings,
            Architecture = Architecture ?? b.Architecture,
            KvHeads = KvHeads ?? b.KvHeads,
            Intermediate = Intermediate ?? b.Intermediate,
            RopeTheta = RopeTheta ?? b.RopeTheta,
        };
    }
}
