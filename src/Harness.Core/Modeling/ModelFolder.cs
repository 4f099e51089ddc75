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

    /// <summary>The model, in eval mode on <paramref name="device"/>.  A Hugging Face folder whose head has more rows than
    /// its tokenizer has tokens gets <see cref="CausalLm.TokenizerSize"/>, so sampling and scoring skip the padding rows.</summary>
    public static CausalLm Load(string directory, Device? device = null)
    {
        if (!IsHuggingFace(directory)) return Checkpoint.LoadModel(directory, device).Model;
        var model = HuggingFaceImport.Load(directory, device).Model;
        if (HasTokenizer(directory))
        {
            int size = OpenTokenizer(directory).VocabSize;
            if (size < model.OutputSize) model.TokenizerSize = size;
        }
        return model;
    }

    static bool HasTokenizer(string directory) =>
        new[] { TokenizerLoader.DescriptorFileName, TokenizerLoader.TiktokenFileName, TokenizerLoader.HuggingFaceFileName, TokenizerLoader.SentencePieceFileName }
            .Any(name => File.Exists(Path.Combine(directory, name)));

    /// <summary>
    /// The folder's tokenizer: a harness checkpoint's own (<see cref="TokenizerLoader.ForCheckpoint"/>); in a Hugging
    /// Face folder, after its model config is accepted, the first of our descriptor, our rank file (written by
    /// <c>harness export --format hf</c>), tokenizer.json or tokenizer.model (<see cref="TokenizerLoader.OpenFolder"/>).
    /// </summary>
    public static LoadedTokenizer OpenTokenizer(string directory)
    {
        if (!IsHuggingFace(directory))
            return TokenizerLoader.ForCheckpoint(directory, Checkpoint.ReadInfo(directory).TokenizerFile);
        HuggingFaceConfig.Read(directory);   // an unsupported model is refused before its tokenizer is looked at
        return TokenizerLoader.OpenFolder(directory);
    }
}
