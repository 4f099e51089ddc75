using Harness.Data;
using Microsoft.ML.Tokenizers;
using Harness.Config;

namespace Harness.Benchmarks;

/// <summary>
/// The tokenizer a default run uses, built the way <see cref="DataPipeline"/> builds it but without its on-disk cache:
/// the embedded corpus, the default split, a byte-level BPE trained on the train split's text (documents joined by
/// <see cref="DataPipeline.Separator"/>), wrapped as a Microsoft.ML.Tokenizers TiktokenTokenizer.  Trained once per
/// process (about a second).
/// </summary>
static class CorpusTokenizer
{
    /// <summary>Ranks requested from the trainer (the default <see cref="TokenizerSpec"/> size).</summary>
    const int RequestedVocabSize = 1024;

    static readonly Lazy<(TiktokenTokenizer Tokenizer, int VocabSize, string[] TrainDocuments)> built = new(Build);

    public static TiktokenTokenizer Tokenizer => built.Value.Tokenizer;

    /// <summary>Ranks the trained vocabulary has: the vocab size models must be built with.</summary>
    public static int VocabSize => built.Value.VocabSize;

    /// <summary>Texts of the train split's documents, in order.</summary>
    public static IReadOnlyList<string> TrainDocuments => built.Value.TrainDocuments;

    static (TiktokenTokenizer, int, string[]) Build()
    {
        var documents = CorpusSplitter.Split(EmbeddedCorpus.Load(), new SplitSpec()).Train.Select(d => d.Text).ToArray();
        var texts = documents.Select((text, i) => i + 1 < documents.Length ? text + DataPipeline.Separator : text);
        var vocabulary = BpeTrainer.Train(texts, RequestedVocabSize);
        return (TokenizerLoader.FromVocabulary(vocabulary), vocabulary.Count, documents);
    }
}
