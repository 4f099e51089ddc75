using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Harness.Config;
using Parquet;
using Parquet.Schema;

namespace Harness.Data;

/// <summary>
/// Streams documents out of corpus files one at a time, so no reader ever holds a whole corpus:
/// <list type="bullet">
/// <item>.jsonl / .jsonl.gz: one JSON object per line; the text under <see cref="CorpusSpec.TextField"/> (a line with
/// only <c>{"text": …}</c> is a document), the id under <see cref="CorpusSpec.IdField"/> or "id" when present.</item>
/// <item>.parquet: read row group by row group (Parquet.Net), only the text and id columns.</item>
/// <item>.txt: the whole file is one document, or documents separated by <see cref="CorpusSpec.TxtSeparator"/>.</item>
/// </list>
/// Without an id a document is named "FILE:N" (file name without folder, 1-based line, row or piece), so the split does
/// not change when the folder moves.  Line endings become "\n", as the embedded corpus has them.
/// A malformed file throws <see cref="UserInputException"/> naming the file, the line or column, and the fix.
/// </summary>
public static class CorpusSources
{
    /// <summary>Most problems listed per file before "… and N more".</summary>
    const int MaxProblemsPerFile = 20;

    /// <summary>Every document of every file, in file order then file order within.</summary>
    public static IEnumerable<Document> Read(IReadOnlyList<string> files, CorpusSpec spec)
    {
        foreach (var file in files)
            foreach (var doc in ReadFile(file, spec))
                yield return doc;
    }

    /// <summary>Reads the whole corpus into memory (the in-memory path: data mixes, small corpora); ids must be unique.</summary>
    public static IReadOnlyList<Document> ReadAll(CorpusSpec spec)
    {
        var problems = new List<string>();
        var files = spec.ExpandFiles(problems);
        if (problems.Count > 0) throw new UserInputException($"data.corpus = \"{spec}\": cannot read the corpus.", problems);
        var docs = Read(files, spec).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = docs.Where(d => !seen.Add(d.Id)).Select(d => d.Id).Distinct().Take(MaxProblemsPerFile).ToList();
        if (duplicates.Count > 0)
            throw new UserInputException($"data.corpus = \"{spec}\": document ids are not unique.",
                duplicates.Select(id => $"id \"{id}\" appears more than once; ids must be unique because splits are assigned by id. Fix the id field or leave data.corpus.id_field out to number documents by file and line.").ToList());
        if (docs.Count == 0)
            throw new UserInputException($"data.corpus = \"{spec}\": no documents.", [$"{spec}: the corpus needs at least 3 documents (one each for train, validation and test)."]);
        return docs;
    }

    public static IEnumerable<Document> ReadFile(string file, CorpusSpec spec) => CorpusSpec.FormatOf(file) switch
    {
        ".jsonl" => ReadJsonl(file, spec, gzip: false),
        ".jsonl.gz" => ReadJsonl(file, spec, gzip: true),
        ".parquet" => ReadParquet(file, spec),
        ".txt" => ReadTxt(file, spec),
        ".bin" => throw new UserInputException($"{file}: a pre-tokenized file has no documents to read.", [$"{file}: .bin files go to the token store as they are; a corpus with a data mix needs text files."]),
        _ => throw new UserInputException($"{file}: unknown corpus format.", [$"{file}: the extension must be one of {string.Join(", ", CorpusSpec.Extensions)}."]),
    };

    static string Name(string file) => Path.GetFileName(file);

    static IEnumerable<Document> ReadJsonl(string file, CorpusSpec spec, bool gzip)
    {
        var problems = new List<string>();
        int dropped = 0;
        void Problem(string p) { if (problems.Count < MaxProblemsPerFile) problems.Add(p); else dropped++; }
        var idField = spec.IdField ?? "id";
        using var stream = File.OpenRead(file);
        using var decompressed = gzip ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(decompressed, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 1 << 16);
        int lineNumber = 0;
        while (true)
        {
            string? line;
            try { line = reader.ReadLine(); }
            catch (Exception e) when (e is DecoderFallbackException or InvalidDataException)
            {
                Problem($"{file}: after line {lineNumber}: {(e is InvalidDataException ? "not a valid gzip stream" : "not valid UTF-8")} ({e.Message}); re-export the file as UTF-8 JSONL{(gzip ? " and gzip it again" : "")}.");
                break;
            }
            if (line is null) break;
            lineNumber++;
            if (line.Length == 0) continue;
            Document? doc = null;
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    Problem($"{file}: line {lineNumber}: not a JSON object; write one object per line with a \"{spec.TextField}\" string.");
                else if (!root.TryGetProperty(spec.TextField, out var text) || text.ValueKind != JsonValueKind.String)
                    Problem($"{file}: line {lineNumber}: field \"{spec.TextField}\" is missing or not a string (keys here: {string.Join(", ", root.EnumerateObject().Select(p => p.Name).Take(8))}); set data.corpus.text_field to the key that holds the text.");
                else
                {
                    string id;
                    if (root.TryGetProperty(idField, out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                        id = idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : idValue.GetRawText();
                    else if (spec.IdField is not null)
                    {
                        Problem($"{file}: line {lineNumber}: id field \"{spec.IdField}\" is missing or not a string/number; fix the file or leave data.corpus.id_field out.");
                        continue;
                    }
                    else id = $"{Name(file)}:{lineNumber}";
                    string source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : Name(file);
                    string title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                    doc = new Document(id, source, title, text.GetString()!.ReplaceLineEndings("\n"));
                }
            }
            catch (JsonException e)
            {
                Problem($"{file}: line {lineNumber}: not valid JSON ({e.Message}); write one JSON object per line.");
            }
            if (doc is not null && problems.Count == 0) yield return doc;
        }
        ThrowIfAny(file, problems, dropped);
    }

    static void ThrowIfAny(string file, List<string> problems, int dropped)
    {
        if (problems.Count == 0) return;
        if (dropped > 0) problems.Add($"{file}: … and {dropped} more problem(s) of the same kinds.");
        throw new UserInputException($"{file}: cannot read the corpus file.", problems);
    }

    static IEnumerable<Document> ReadTxt(string file, CorpusSpec spec)
    {
        string text;
        try { text = File.ReadAllText(file, new UTF8Encoding(false, throwOnInvalidBytes: true)); }
        catch (DecoderFallbackException e)
        {
            throw new UserInputException($"{file}: cannot read the corpus file.", [$"{file}: not valid UTF-8 ({e.Message}); convert the file to UTF-8."]);
        }
        text = text.ReplaceLineEndings("\n");
        if (spec.TxtSeparator is null)
        {
            if (text.Length > 0) yield return new Document(Name(file), Name(file), "", text);
            yield break;
        }
        int piece = 0;
        foreach (var part in text.Split(spec.TxtSeparator.ReplaceLineEndings("\n")))
        {
            piece++;
            if (part.Trim().Length > 0) yield return new Document($"{Name(file)}:{piece}", Name(file), "", part);
        }
    }

    /// <summary>Row group by row group; only the text (and id) columns are decoded, one group in memory at a time.</summary>
    static IEnumerable<Document> ReadParquet(string file, CorpusSpec spec)
    {
        ParquetReader reader;
        var stream = File.OpenRead(file);
        try { reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stream.Dispose();
            throw new UserInputException($"{file}: cannot read the corpus file.",
                [$"{file}: not a readable Parquet file ({e.GetType().Name}: {e.Message}); the file may be truncated or corrupt — download it again."]);
        }
        using (stream)
        try
        {
            var fields = reader.Schema.GetDataFields();
            DataField? Find(string name) => fields.FirstOrDefault(f => f.Name == name && f.MaxRepetitionLevel == 0);
            var textField = Find(spec.TextField);
            var idField = spec.IdField is null ? null : Find(spec.IdField);
            var problems = new List<string>();
            // Parquet.Net 6 reports a UTF-8 column as ReadOnlyMemory<char>; both read as strings.
            static bool IsText(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);
            static string TypeName(DataField f) => IsText(f) ? "string" : f.ClrType.Name;
            var columns = string.Join(", ", fields.Select(f => $"{f.Name} ({TypeName(f)})"));
            if (textField is null || !IsText(textField))
                problems.Add($"{file}: column \"{spec.TextField}\" is {(textField is null ? "missing" : $"of type {TypeName(textField)}, not a string")} (columns: {columns}); set data.corpus.text_field to the column that holds the text.");
            if (spec.IdField is not null && (idField is null || !IsText(idField)))
                problems.Add($"{file}: id column \"{spec.IdField}\" is missing or not a string (columns: {columns}); fix data.corpus.id_field or leave it out.");
            if (problems.Count > 0) throw new UserInputException($"{file}: cannot read the corpus file.", problems);
            long row = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                string?[] texts, ids;
                try
                {
                    using var group = reader.OpenRowGroupReader(g);
                    texts = new string?[group.RowCount];
                    group.ReadAsync(textField!, texts.AsMemory()).GetAwaiter().GetResult();
                    ids = idField is null ? [] : new string?[group.RowCount];
                    if (idField is not null) group.ReadAsync(idField, ids.AsMemory()).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not OutOfMemoryException and not UserInputException)
                {
                    throw new UserInputException($"{file}: cannot read the corpus file.",
                        [$"{file}: row group {g + 1} of {reader.RowGroupCount} is unreadable ({e.GetType().Name}: {e.Message}); the file may be truncated or corrupt — download it again."]);
                }
                for (int i = 0; i < texts.Length; i++)
                {
                    row++;
                    var text = texts[i];
                    if (text is null) continue; // a null text is no document
                    var id = idField is null ? $"{Name(file)}:{row}" : ids[i] ?? $"{Name(file)}:{row}";
                    yield return new Document(id, Name(file), "", text.ReplaceLineEndings("\n"));
                }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
