using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Harness.IO;

namespace Harness.Results;

/// <summary>Reads and writes result CSVs with CsvHelper in the invariant culture; writes are atomic (temp + rename).</summary>
public static class ResultTables
{
    static CsvConfiguration Config => new(CultureInfo.InvariantCulture) { HasHeaderRecord = true };

    public static void WriteAll<T>(string path, IEnumerable<T> rows)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            using var csv = new CsvWriter(writer, Config);
            csv.WriteRecords(rows);
        });
    }

    /// <summary>The bytes <see cref="WriteAll{T}"/> would write, for writers that check space for a set of files first.</summary>
    public static byte[] Serialize<T>(IEnumerable<T> rows)
    {
        using var memory = new MemoryStream();
        using (var writer = new StreamWriter(memory, leaveOpen: true))
        using (var csv = new CsvWriter(writer, Config))
            csv.WriteRecords(rows);
        return memory.ToArray();
    }

    /// <summary>Reads a table, refusing rows whose schema_version this build does not understand.</summary>
    public static List<T> ReadAll<T>(string path) where T : class
    {
        if (!File.Exists(path))
            throw new UserInputException($"{path}: file not found.");
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, Config);
        var rows = new List<T>();
        try
        {
            foreach (var row in csv.GetRecords<T>())
                rows.Add(row);
        }
        catch (CsvHelper.MissingFieldException e) when (e.Context?.Parser is not null)
        {
            // A row with fewer fields than the header: name the row, the first missing column and the likely cause.
            int index = e.Context.Reader?.CurrentIndex ?? -1;
            var header = csv.HeaderRecord ?? [];
            var column = index >= 0 && index < header.Length ? $"column '{header[index]}' (column {index + 1} of {header.Length})" : $"column {index + 1}";
            int fields = e.Context.Parser.Count;
            throw new UserInputException($"{path}: row {e.Context.Parser.Row}: {column} is missing; the row has {fields} of {header.Length} fields, so the file is truncated.",
                [$"{path}: row {e.Context.Parser.Row} ends after {fields} field(s); the file is truncated (an interrupted copy or a full disk?). " +
                 "Restore it, or rebuild the folder's tables from units/ with `harness run CONFIG --force-report` (or `harness merge`)."]);
        }
        catch (CsvHelperException e) when (e.Context?.Parser is not null)
        {
            throw new UserInputException($"{path}: row {e.Context.Parser.Row}: cannot read ({e.GetType().Name}): {FirstLine(e.Message)}. " +
                                         "Was it written by this version of harness?");
        }
        var versionProperty = typeof(T).GetProperty("SchemaVersion");
        if (versionProperty is not null)
        {
            var expected = ResultSchema.VersionOf(typeof(T));
            var bad = rows.Select((r, i) => (Row: i + 2, Version: (int)versionProperty.GetValue(r)!))
                          .FirstOrDefault(x => x.Version != expected);
            if (bad.Row != 0)
                throw new UserInputException($"{path}: row {bad.Row}: schema_version {bad.Version} is not understood by this build " +
                                             $"(it reads version {expected}); use the harness version that wrote it, or rerun `harness estimate` on the folder.");
        }
        return rows;
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
