using Harness.Cli;
using Harness.Estimation;
using Harness.Results;

namespace Harness.Tests.Results;

/// <summary>
/// Issue 24 points 5 and 6: runs.csv and curves.csv must agree on every finished unit's final value (estimate refuses,
/// report warns), an empty table is named as such, a truncated row names its row and missing column, and a scratch-only
/// folder is not told to pass an option that estimate then refuses.
/// </summary>
public class ResultsConsistencyTests
{
    static TempDirectory Grid(out string runs, out string curves)
    {
        var tmp = new TempDirectory();
        new SyntheticGrid { Seeds = 2, Checkpoints = 1 }.Write(tmp.Path, dataSeed: 3);
        runs = tmp.File(ResultSchema.RunsFile);
        curves = tmp.File(ResultSchema.CurvesFile);
        return tmp;
    }

    [Fact]
    public void A_consistent_folder_has_no_disagreement()
    {
        using var tmp = Grid(out _, out _);
        Assert.Empty(ResultsFolder.Load(tmp.Path).Disagreements());
    }

    [Fact]
    public void A_NaN_or_edited_final_value_in_runs_csv_is_named_by_row_and_estimate_refuses()
    {
        using var tmp = Grid(out var runs, out _);
        var rows = ResultTables.ReadAll<RunRow>(runs);
        rows[2] = rows[2] with { ValLoss = double.NaN };
        rows[5] = rows[5] with { ValLoss = rows[5].ValLoss + 0.25 };
        ResultTables.WriteAll(runs, rows);
        var problems = ResultsFolder.Load(tmp.Path).Disagreements();
        Assert.Equal(2, problems.Count);
        Assert.Contains("row 4", problems[0]);
        Assert.Contains("NaN", problems[0]);
        Assert.Contains("row 7", problems[1]);
        Assert.Contains("last curves.csv point", problems[1]);
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", tmp.Path, "--replicates", "0", "--out", tmp.File("est")]));
        Assert.False(Directory.Exists(tmp.File("est")));
    }

    [Fact]
    public void An_empty_curves_csv_is_reported_as_empty()
    {
        using var tmp = Grid(out _, out var curves);
        File.WriteAllBytes(curves, []);
        var problem = Assert.Single(ResultsFolder.Load(tmp.Path).Disagreements());
        Assert.Contains("curves.csv: the file is empty (0 bytes", problem);
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["estimate", tmp.Path, "--replicates", "0", "--out", tmp.File("est")]));
    }

    [Fact]
    public void A_truncated_runs_csv_row_names_the_row_the_missing_column_and_the_truncation()
    {
        using var tmp = Grid(out var runs, out _);
        var text = File.ReadAllText(runs).TrimEnd('\n', '\r');
        var lines = text.Split('\n');
        var header = lines[0].TrimEnd('\r').Split(',');
        var last = lines[^1].TrimEnd('\r').Split(',');
        File.WriteAllText(runs, string.Join('\n', lines[..^1]) + "\n" + string.Join(',', last[..5]) + "\n");
        var e = Assert.Throws<UserInputException>(() => ResultTables.ReadAll<RunRow>(runs));
        Assert.Contains($"row {lines.Length}", e.Summary);
        Assert.Contains($"column '{header[5]}'", e.Summary);
        Assert.Contains("the file is truncated", e.Summary);
        Assert.DoesNotContain("MissingFieldFound", e.Message);
    }

    [Fact]
    public void A_scratch_only_folder_is_not_told_to_pass_treatment()
    {
        using var tmp = Grid(out var runs, out var curves);
        ResultTables.WriteAll(runs, ResultTables.ReadAll<RunRow>(runs).Where(r => r.Method == ResultSchema.ScratchMethod).ToList());
        ResultTables.WriteAll(curves, ResultTables.ReadAll<CurveRow>(curves).Where(r => r.Method == ResultSchema.ScratchMethod).ToList());
        var e = Assert.Throws<UserInputException>(() => MultiplierEstimator.EstimateResultsFolder(tmp.Path, new EstimateOptions { Replicates = 0 }));
        Assert.Contains("\"methods\"", e.Message);
        Assert.DoesNotContain("pass --treatment", e.Message);
    }
}
