using Harness.Results;

namespace Harness.Pipelines;

/// <summary>
/// The end-of-run summary of a results folder: for each student × budget, the final validation loss of each method,
/// the mean over the seeds whose run finished ok (NaN when none did).  Rows ordered by non-embedding parameters, then
/// by tokens; methods in the order runs.csv first names them.
/// </summary>
public sealed record FinalLossTable(IReadOnlyList<string> Methods, IReadOnlyList<FinalLossRow> Rows)
{
    /// <summary>Null when the folder has no runs.csv yet.</summary>
    public static FinalLossTable? Read(string resultsDirectory)
    {
        var path = new RunFolderLayout(resultsDirectory).Runs;
        return File.Exists(path) ? From(ResultTables.ReadAll<RunRow>(path)) : null;
    }

    /// <summary>Only finished runs count (a WSD trunk is not one).</summary>
    public static FinalLossTable From(IEnumerable<RunRow> runs)
    {
        var rows = runs.Where(r => r.IsFinal).ToList();
        var methods = rows.Select(r => r.Method).Distinct().ToList();
        var table = rows.GroupBy(r => (r.Student, r.Budget, r.ParamsNonEmbedding))
            .OrderBy(g => g.Key.ParamsNonEmbedding).ThenBy(g => g.Min(r => r.Tokens))
            .Select(g => new FinalLossRow(g.Key.Student, g.Key.ParamsNonEmbedding, g.Key.Budget, g.Min(r => r.Tokens),
                methods.Select(m => g.Where(r => r.Method == m && r.Status == RunRowStatus.Ok).Select(r => r.ValLoss).DefaultIfEmpty(double.NaN).Average()).ToList()))
            .ToList();
        return new FinalLossTable(methods, table);
    }
}

/// <summary>One student × budget: <see cref="MeanValLoss"/>[i] is the seed mean of <see cref="FinalLossTable.Methods"/>[i] (nats/token).</summary>
public sealed record FinalLossRow(string Student, long ParamsNonEmbedding, string Budget, long Tokens, IReadOnlyList<double> MeanValLoss);
