using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Harness.Config;

namespace Harness.Data;

/// <summary>
/// Reads a Hugging Face tokenizers tokenizer.json whose model is byte-level BPE (Radford et al. 2019, as GPT-2, Qwen2,
/// SmolLM and Llama-3 ship it) into a Microsoft.ML.Tokenizers tokenizer.  Supported, and everything else refused with
/// the field, the value and the supported values (README: "Tokenizers"):
/// <list type="bullet">
/// <item>model: type "BPE", vocab, merges ("a b" strings or ["a","b"] pairs), no dropout, no byte_fallback, no
///   continuing_subword_prefix/end_of_word_suffix; ignore_merges true (Llama-3) encodes tiktoken-style: a word that is
///   in the vocabulary is one token, else the lowest-id merge first (Llama-3's ids are tiktoken ranks).</item>
/// <item>normalizer: none, or NFC, NFD, NFKC, NFKD (alone or in a Sequence) where the runtime can normalize, which
///   the harness's invariant globalization mode cannot: there they are refused.</item>
/// <item>pre_tokenizer: ByteLevel (add_prefix_space false), Split (Regex or String pattern, behavior Isolated, not
///   inverted), Digits, or a Sequence of these with a ByteLevel in it.</item>
/// <item>added_tokens: matched in the raw text before pre-tokenization, longest first, and given their ids.</item>
/// </list>
/// The post_processor (BOS/EOS templates) is not applied: the harness encodes raw documents and joins them itself.
/// </summary>
internal static class HuggingFaceTokenizerFile
{
    static readonly string[] NormalizerTypes = ["NFC", "NFD", "NFKC", "NFKD", "Sequence"];
    static readonly string[] PreTokenizerTypes = ["ByteLevel", "Split", "Digits", "Sequence"];

    public static LoadedTokenizer Open(string path, JsonElement root, string sha256)
    {
        var problems = new List<string>();
        var model = root.GetProperty("model");
        var modelType = String(model, "type");
        if (modelType is not (null or "BPE"))
            problems.Add($"{path}: model.type = \"{modelType}\": only \"BPE\" (byte-level, as GPT-2, Qwen2, SmolLM and Llama-3 ship it) is supported; for a SentencePiece model (Llama-2) use its tokenizer.model.");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null)
            problems.Add($"{path}: model.dropout = {dropout}: must be null (BPE dropout makes ids random).");
        if (Bool(model, "byte_fallback"))
            problems.Add($"{path}: model.byte_fallback = true: only byte-level BPE is supported (byte fallback is SentencePiece-style, as in Llama-2's converted tokenizer.json); use the model's tokenizer.model instead.");
        foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (String(model, name) is { Length: > 0 } value)
                problems.Add($"{path}: model.{name} = \"{value}\": must be null or \"\" (byte-level BPE has no sub-word markers).");
        bool ignoreMerges = Bool(model, "ignore_merges");

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            problems.Add($"{path}: model.vocab is missing or not an object of token → id.");
        else
            foreach (var entry in vocab.EnumerateObject())
                if (entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt32(out var id) && id >= 0) vocabulary[entry.Name] = id;
                else problems.Add($"{path}: model.vocab[\"{entry.Name}\"] = {entry.Value}: must be a non-negative integer id.");
        var merges = new List<string>();
        if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind != JsonValueKind.Array)
            problems.Add($"{path}: model.merges is missing or not an array.");
        else
            foreach (var merge in mergesElement.EnumerateArray())
            {
                if (merge.ValueKind == JsonValueKind.String) merges.Add(merge.GetString()!);
                else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
                    merges.Add($"{merge[0].GetString()} {merge[1].GetString()}");
                else { problems.Add($"{path}: model.merges entry {merge}: must be \"a b\" or [\"a\", \"b\"]."); break; }
            }

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
            foreach (var token in addedTokens.EnumerateArray())
                if (String(token, "content") is { Length: > 0 } content && token.TryGetProperty("id", out var idElement) && idElement.TryGetInt32(out var id))
                    added[content] = id;
                else problems.Add($"{path}: added_tokens entry {token}: needs a non-empty \"content\" and an integer \"id\".");

        var normalizer = ReadNormalizer(path, root.TryGetProperty("normalizer", out var n) ? n : default, "normalizer", problems);
        var stages = new List<PreTokenizerStage>();
        bool byteLevel = false;
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
            problems.Add($"{path}: pre_tokenizer is missing: only byte-level BPE is supported, which needs a ByteLevel pre-tokenizer.");
        else ReadPreTokenizer(path, pre, "pre_tokenizer", stages, ref byteLevel, problems);
        if (pre.ValueKind == JsonValueKind.Object && !byteLevel)
            problems.Add($"{path}: pre_tokenizer has no ByteLevel step: only byte-level BPE is supported (types {string.Join(", ", PreTokenizerTypes)} with a ByteLevel among them).");
        if (problems.Count > 0) throw new UserInputException($"{path}: a tokenizer.json this harness cannot read.", problems);

        var preTokenizer = new HuggingFacePreTokenizer(stages, added);
        Tokenizer tokenizer;
        string format;
        if (ignoreMerges)
        {
            tokenizer = TiktokenStyle(path, vocabulary, added, preTokenizer, normalizer);
            format = "Hugging Face tokenizer.json (byte-level BPE, ignore_merges)";
        }
        else
        {
            try
            {
                tokenizer = BpeTokenizer.Create(new BpeOptions(vocabulary)
                {
                    Merges = merges, ByteLevel = true, PreTokenizer = preTokenizer, Normalizer = normalizer,
                    SpecialTokens = added.Count == 0 ? null : added,
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new UserInputException($"{path}: a tokenizer.json this harness cannot read.", [$"{path}: model: {e.Message}"]);
            }
            format = "Hugging Face tokenizer.json (byte-level BPE)";
        }
        int size = 1 + Math.Max(vocabulary.Values.DefaultIfEmpty(0).Max(), added.Values.DefaultIfEmpty(0).Max());
        return new LoadedTokenizer(tokenizer, TokenizerSpec.HuggingFace, path, sha256, size, format);
    }

    /// <summary>
    /// Byte-level BPE with ignore_merges as tiktoken runs it: the vocabulary's byte strings ranked by id.  Merge
    /// priority then follows the ids, which is what Llama-3's tokenizer.json encodes (its ids are tiktoken ranks).
    /// </summary>
    static TiktokenTokenizer TiktokenStyle(string path, Dictionary<string, int> vocabulary, Dictionary<string, int> added, PreTokenizer preTokenizer, Normalizer? normalizer)
    {
        var unicodeToByte = ByteLevelAlphabet.UnicodeToByte;
        var text = new StringBuilder();
        var bad = new List<string>();
        foreach (var (token, id) in vocabulary.OrderBy(e => e.Value))
        {
            if (added.ContainsKey(token)) continue;
            var bytes = new byte[token.Length];
            bool ok = true;
            for (int i = 0; i < token.Length && ok; i++)
                if (unicodeToByte.TryGetValue(token[i], out var b)) bytes[i] = b;
                else ok = false;
            if (!ok) { if (bad.Count < 5) bad.Add(token); continue; }
            text.Append(Convert.ToBase64String(bytes)).Append(' ').Append(id.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        if (bad.Count > 0)
            throw new UserInputException($"{path}: a tokenizer.json this harness cannot read.",
                [$"{path}: model.vocab has tokens outside the byte-level alphabet (e.g. {string.Join(", ", bad.Select(t => $"\"{t}\""))}) that are not added_tokens: not a byte-level BPE vocabulary."]);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()), writable: false);
        return TiktokenTokenizer.Create(stream, preTokenizer, normalizer, added.Count == 0 ? null : added);
    }

    static Normalizer? ReadNormalizer(string path, JsonElement element, string field, List<string> problems)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        var type = String(element, "type");
        var forms = new List<NormalizationForm>();
        void Add(JsonElement e, string at)
        {
            switch (String(e, "type"))
            {
                case "NFC": forms.Add(NormalizationForm.FormC); break;
                case "NFD": forms.Add(NormalizationForm.FormD); break;
                case "NFKC": forms.Add(NormalizationForm.FormKC); break;
                case "NFKD": forms.Add(NormalizationForm.FormKD); break;
                case "Sequence" when e.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array:
                    int i = 0;
                    foreach (var inner in list.EnumerateArray()) Add(inner, $"{at}.normalizers[{i++}]");
                    break;
                case var other:
                    problems.Add($"{path}: {at}.type = \"{other}\": unsupported normalizer; supported: none, {string.Join(", ", NormalizerTypes)} (of those).");
                    break;
            }
        }
        Add(element, field);
        if (forms.Count > 0 && !UnicodeNormalizer.Available)
        {
            problems.Add($"{path}: {field}: Unicode normalization ({string.Join(", ", forms.Select(f => f.ToString()))}) is not available: the harness runs in .NET's invariant globalization mode (Directory.Build.props InvariantGlobalization), where string.Normalize leaves non-ASCII text unchanged, so ids would differ from the model's; no normalizer is supported here.");
            return null;
        }
        return forms.Count == 0 ? null : new UnicodeNormalizer(forms);
    }

    static void ReadPreTokenizer(string path, JsonElement element, string at, List<PreTokenizerStage> stages, ref bool byteLevel, List<string> problems)
    {
        switch (String(element, "type"))
        {
            case "Sequence" when element.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array:
                int i = 0;
                foreach (var inner in list.EnumerateArray()) ReadPreTokenizer(path, inner, $"{at}.pretokenizers[{i++}]", stages, ref byteLevel, problems);
                break;
            case "ByteLevel":
                byteLevel = true;
                if (Bool(element, "add_prefix_space"))
                    problems.Add($"{path}: {at}.add_prefix_space = true: unsupported; only false (GPT-2, Qwen2, SmolLM, Llama-3) is.");
                if (!element.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                    stages.Add(PreTokenizerStage.Isolate(Gpt2PreTokenizer.Regex));
                break;
            case "Split":
                var behavior = String(element, "behavior");
                if (behavior != "Isolated")
                    problems.Add($"{path}: {at}.behavior = \"{behavior}\": unsupported; only \"Isolated\" is.");
                if (Bool(element, "invert"))
                    problems.Add($"{path}: {at}.invert = true: unsupported; only false is.");
                string? pattern = null;
                if (element.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.Object)
                {
                    if (String(p, "Regex") is { } regex) pattern = regex;
                    else if (String(p, "String") is { } literal) pattern = Regex.Escape(literal);
                }
                if (pattern is null) { problems.Add($"{path}: {at}.pattern: must be {{\"Regex\": …}} or {{\"String\": …}}."); break; }
                try { stages.Add(PreTokenizerStage.Isolate(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant))); }
                catch (ArgumentException e) { problems.Add($"{path}: {at}.pattern.Regex: .NET cannot compile it ({e.Message})."); }
                break;
            case "Digits":
                stages.Add(PreTokenizerStage.Digits(Bool(element, "individual_digits")));
                break;
            case var other:
                problems.Add($"{path}: {at}.type = \"{other}\": unsupported pre-tokenizer; supported: {string.Join(", ", PreTokenizerTypes)}.");
                break;
        }
    }

    static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static bool Bool(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}

/// <summary>GPT-2's byte ↔ printable-character map (openai/gpt-2 encoder.py bytes_to_unicode), which byte-level BPE
/// vocabularies are written in: printable Latin-1 bytes stand for themselves, the rest for U+0100 onwards.</summary>
internal static class ByteLevelAlphabet
{
    public static readonly IReadOnlyDictionary<char, byte> UnicodeToByte = Build();

    static Dictionary<char, byte> Build()
    {
        var map = new Dictionary<char, byte>();
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)(256 + next++)] = (byte)b;
        }
        return map;
    }
}

/// <summary>One step of a Hugging Face pre-tokenizer sequence: splits a piece of text into smaller pieces.</summary>
internal sealed class PreTokenizerStage
{
    readonly Func<string, int, int, IEnumerable<(int Offset, int Length)>> split;
    PreTokenizerStage(Func<string, int, int, IEnumerable<(int, int)>> split) => this.split = split;

    public IEnumerable<(int Offset, int Length)> Split(string text, int offset, int length) => split(text, offset, length);

    /// <summary>Split with behavior "Isolated": every match is a piece, and so is the text between matches.</summary>
    public static PreTokenizerStage Isolate(Regex regex) => new((text, offset, length) => IsolateMatches(regex, text, offset, length));

    static IEnumerable<(int, int)> IsolateMatches(Regex regex, string text, int offset, int length)
    {
        int at = offset, end = offset + length;
        for (var m = regex.Match(text, offset, length); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            if (m.Index > at) yield return (at, m.Index - at);
            yield return (m.Index, m.Length);
            at = m.Index + m.Length;
        }
        if (end > at) yield return (at, end - at);
    }

    /// <summary>Digits: each digit alone (individual_digits) or runs of digits, apart from the other characters.</summary>
    public static PreTokenizerStage Digits(bool individual) => new((text, offset, length) => SplitDigits(text, offset, length, individual));

    static IEnumerable<(int, int)> SplitDigits(string text, int offset, int length, bool individual)
    {
        int start = offset, end = offset + length;
        for (int i = offset; i < end; i++)
        {
            bool digit = char.IsNumber(text[i]);
            bool boundary = i > start && (digit != char.IsNumber(text[i - 1]) || (digit && individual));
            if (boundary) { yield return (start, i - start); start = i; }
        }
        if (end > start) yield return (start, end - start);
    }
}

/// <summary>Runs the steps in order over the text, after cutting out added tokens (which no step splits).</summary>
internal sealed class HuggingFacePreTokenizer : PreTokenizer
{
    readonly IReadOnlyList<PreTokenizerStage> stages;
    readonly Regex? addedTokens;

    public HuggingFacePreTokenizer(IReadOnlyList<PreTokenizerStage> stages, IReadOnlyDictionary<string, int> added)
    {
        this.stages = stages;
        if (added.Count > 0)
            addedTokens = new Regex(string.Join("|", added.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).Select(Regex.Escape)),
                                    RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var result = new List<(int, int)>();
        int at = 0;
        if (addedTokens is not null)
            for (var m = addedTokens.Match(text); m.Success; m = m.NextMatch())
            {
                if (m.Index > at) SplitAll(text, at, m.Index - at, 0, result);
                result.Add((m.Index, m.Length));
                at = m.Index + m.Length;
            }
        if (text.Length > at) SplitAll(text, at, text.Length - at, 0, result);
        return result;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());

    void SplitAll(string text, int offset, int length, int stage, List<(int, int)> result)
    {
        if (stage == stages.Count) { result.Add((offset, length)); return; }
        foreach (var (o, l) in stages[stage].Split(text, offset, length)) SplitAll(text, o, l, stage + 1, result);
    }
}

/// <summary>Unicode normalization forms applied in order (Hugging Face's NFC/NFD/NFKC/NFKD normalizers).</summary>
internal sealed class UnicodeNormalizer(IReadOnlyList<NormalizationForm> forms) : Normalizer
{
    /// <summary>Whether this runtime normalizes non-ASCII text (not in invariant globalization mode).</summary>
    public static bool Available { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9";

    public override string Normalize(string original)
    {
        foreach (var form in forms) original = original.Normalize(form);
        return original;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
