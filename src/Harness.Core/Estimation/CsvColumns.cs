using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Harness.Estimation;

/// <summary>
/// A user-supplied CSV read by column name, collecting every problem (file, row, column, value, rule, fix) so one
/// run reports them all.  Rows are numbered as a spreadsheet shows them: the header is row 1.
/// </summary>
internal sealed class CsvColumns
{
    readonly Dictionary<string, int> _index;
    public string Path { get; }
    public List<string[]> Rows { get; } = [];
    public List<string> Problems { get; } = [];

    CsvColumns(string path, string[] header)
    {
        Path = path;
        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++) _index.TryAdd(header[i].Trim(), i);
    }

    public static CsvColumns Read(string path)
    {
        if (!File.Exists(path))
            throw new UserInputException($"{path}: file not found.");
        using var reader = new StreamReader(path);
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || csv.Record is null)
            throw new UserInputException($"{path}: row 1: the file is empty; it needs a header row and data rows.");
        var table = new CsvColumns(path, csv.Record);
        while (csv.Read())
            if (csv.Record is { } record && record.Any(f => f.Trim().Length > 0))
                table.Rows.Add(record);
        return table;
    }

    public static int RowNumber(int dataIndex) => dataIndex + 2;

    /// <summary>Column index, or −1 after recording a problem when <paramref name="required"/>.</summary>
    public int Column(string name, bool required, string purpose)
    {
        if (_index.TryGetValue(name, out var i)) return i;
        if (required)
            Problems.Add($"{Path}: row 1 (header), column '{name}': missing; it is required ({purpose}); " +
                         $"columns present: {string.Join(", ", _index.Keys)}. Fix: add the column or name the right one.");
        return -1;
    }

    public string Text(int row, int column) => column >= 0 && column < Rows[row].Length ? Rows[row][column].Trim() : "";

    public string Name(int column) => _index.First(kv => kv.Value == column).Key;

    /// <summary>Parses an invariant-culture number; records a problem naming the cell when it is not one or breaks the rule.</summary>
    public double Number(int row, int column, bool positive)
    {
        var text = Text(row, column);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Problems.Add($"{Path}: row {RowNumber(row)}, column '{Name(column)}': value '{text}' is not a number; " +
                         "fix: write a plain number with '.' as the decimal point (e.g. 1.5e21).");
            return double.NaN;
        }
        if (positive && v <= 0)
        {
            Problems.Add($"{Path}: row {RowNumber(row)}, column '{Name(column)}': value '{text}' must be greater than 0; fix: correct or remove the row.");
            return double.NaN;
        }
        return v;
    }

    public bool Boolean(int row, int column)
    {
        var text = Text(row, column).ToLowerInvariant();
        switch (text)
        {
            case "true" or "1" or "yes": return true;
            case "false" or "0" or "no": return false;
        }
        Problems.Add($"{Path}: row {RowNumber(row)}, column '{Name(column)}': value '{Text(row, column)}' is not true/false; fix: write true or false.");
        return true;
    }

    public void Problem(string message) => Problems.Add(message);

    /// <summary>Throws when problems were found: a single problem is the whole (one-line) message.</summary>
    public void ThrowIfProblems()
    {
        if (Problems.Count == 1) throw new UserInputException(Problems[0]);
        if (Problems.Count > 1)
            throw new UserInputException($"{Path}: {Problems.Count} problems:", Problems);
    }
}
