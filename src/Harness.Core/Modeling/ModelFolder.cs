using System.Text.Json;
using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// A model folder as every command that takes a checkpoint reads it: a harness checkpoint (config.json with
/// <c>model</c>, written by <c>harness train</c>) or a Hugging Face model folder (config.json with <c>architectures</c>;
/// <see cref="HuggingFaceImport"/>).
/// </summary>
public static class ModelFolder
{
    public static bool IsHuggingFace(string directory) => HuggingFaceConfig.IsHuggingFaceFolder(directory);

    /// <summary>The model, in eval mode on <paramref name="device"/>.</summary>
    public static CausalLm Load(string directory, Device? device = null)
    {
        if (IsHuggingFace(directory)) return HuggingFaceImport.Load(directory, device).Model;
        return Checkpoint.Load(directory, device).Model;
    }

    /// <summary>
    /// The tokenizer file this build can read for the folder: a harness checkpoint's own; in a Hugging Face folder the
    /// harness's rank file (<c>tokenizer.tiktoken</c>, which <c>harness export --format hf</c> writes) or its stock-GPT-2
    /// descriptor.  A folder with only Hugging Face's own tokenizer files is refused (reading tokenizer.json and
    /// SentencePiece models belongs to the tokenizer loader, not yet here).
    /// </summary>
    public static string TokenizerPath(string directory)
    {
        if (!IsHuggingFace(directory))
            return Path.Combine(directory, Checkpoint.ReadInfo(directory).TokenizerFile ?? TokenizerLoader.DescriptorFileName);
        HuggingFaceConfig.Read(directory);   // an unsupported model is refused before its tokenizer is looked at
        var rank = Path.Combine(directory, TokenizerLoader.TiktokenFileName);
        if (File.Exists(rank)) return rank;
        var descriptor = Path.Combine(directory, TokenizerLoader.DescriptorFileName);
        if (File.Exists(descriptor) && IsHarnessDescriptor(descriptor)) return descriptor;
        var present = new[] { "tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt" }.Where(f => File.Exists(Path.Combine(directory, f))).ToList();
        throw new UserInputException($"{directory}: no tokenizer this build can read.",
            [$"{directory}: has {(present.Count == 0 ? "no tokenizer files" : string.Join(", ", present))}; this build reads {TokenizerLoader.TiktokenFileName} "
             + "(written by `harness export --format hf`) or the harness's {\"kind\": \"gpt2\"} descriptor. Hugging Face tokenizer.json and SentencePiece files are not read yet."]);
    }

    static bool IsHarnessDescriptor(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("kind", out _) && !doc.RootElement.TryGetProperty("model", out _);
        }
        catch (JsonException) { return false; }
    }
}
