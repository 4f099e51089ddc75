using System.Globalization;
using Harness.Results;
using Harness.Reporting;

namespace Harness.Tests.Reporting;

public class RepetitionSectionTests
{
    static Section? Repetition(string dir) => ReportWriter.Build(ResultsFolder.Load(dir)).Sections.SingleOrDefault(s => s.Id == "repetition");

    [Fact]
    public void The_report_shows_tokens_seen_unique_tokens_and_epochs_per_budget_and_method()
    {
        using var tmp = new TempDirectory();
        var dir = ReportFixtures.Copy(tmp);
        var runs = ResultsFolder.Load(dir).Runs.Where(r => r.Status == RunRowStatus.Ok && r.IsFinal).ToList();
        Assert.All(runs, r => Assert.True(r.UniqueTrainTokens > 0));
        var section = Repetition(dir);
        Assert.NotNull(section);
        var table = section.Blocks.OfType<TableBlock>().Single().Table;
        Assert.Equal(["budget", "method", "runs", "tokens seen", "unique training tokens", "epochs"], table.Header);
        var groups = runs.GroupBy(r => (r.Budget, r.Method)).ToList();
        Assert.Equal(groups.Count, table.Rows.Count);
        foreach (var g in groups)
        {
            var row = table.Rows.Single(x => x[0] == g.Key.Budget && x[1] == g.Key.Method);
            Assert.Equal(g.Count().ToString(CultureInfo.InvariantCulture), row[2]);
            Assert.Equal(g.Max(r => r.Tokens).ToString("N0", CultureInfo.InvariantCulture), row[3]);
            // epochs = tokens seen / unique tokens, recomputed here from the rows' own counts
            Assert.Equal(g.Max(r => (double)r.Tokens / r.UniqueTrainTokens).ToString("F2", CultureInfo.InvariantCulture), row[5]);
        }
        // Budgets in order of tokens seen.
        var seen = table.Rows.Select(x => long.Parse(x[3], NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(seen.Order(), seen);
        Assert.Empty(section.Blocks.OfType<Warn>());   // the fixture stays well under data.max_epochs = 4
        Assert.Contains("Muennighoff et al. 2023", section.Blocks.OfType<Para>().First().Text);
    }

    [Fact]
    public void A_budget_above_max_epochs_is_warned_and_results_without_counts_get_no_section()
    {
        using var tmp = new TempDirectory();
        var dir = ReportFixtures.Copy(tmp);
        var folder = ResultsFolder.Load(dir);
        var largest = folder.Runs.Where(r => r.IsFinal).MaxBy(r => r.Tokens)!.Budget;
        var path = Path.Combine(dir, ResultSchema.RunsFile);
        ResultTables.WriteAll(path, folder.Runs.Select(r => r.Budget == largest ? r with { Epochs = 6.5 } : r));
        var warnings = Repetition(dir)!.Blocks.OfType<Warn>().Select(w => w.Text).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Contains($"budget {largest}", w));
        Assert.Contains(warnings, w => w.Contains("6.50 epochs, above data.max_epochs = 4"));

        ResultTables.WriteAll(path, folder.Runs.Select(r => r with { UniqueTrainTokens = -1, Epochs = -1 }));
        Assert.Null(Repetition(dir));
    }
}
