using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// External tables of public model data: columns <c>group,model,compute_flops,benchmark,score,higher_is_better</c>,
/// optional <c>params</c>, <c>tokens</c>, <c>chance</c>.  Every row is one model and its own bootstrap unit.
/// </summary>
public static class ExternalTableLoader
{
    public static EstimationInput Load(string path, string baseline, IReadOnlyList<string> treatments)
    {
        var t = CsvColumns.Read(path);
        var group = t.Column("group", true, "which group a model belongs to");
        var model = t.Column("model", true, "the model's name");
        var compute = t.Column("compute_flops", true, "training compute in FLOP");
        var benchmark = t.Column("benchmark", true, "the metric's name");
        var score = t.Column("score", true, "the measured value");
        var higher = t.Column("higher_is_better", true, "the metric's direction");
        var paramsCol = t.Column("params", false, "");
        var tokensCol = t.Column("tokens", false, "");
        var chanceCol = t.Column("chance", false, "");
        t.ThrowIfProblems();
        if (t.Rows.Count == 0)
            throw new UserInputException($"{path}: row 2: the table has a header but no data rows; fix: add one row per model × benchmark.");

        var rows = new List<(string Group, string Model, string Benchmark, double Compute, double Score, bool Higher, double Params, double Tokens, double Chance, int Row)>();
        for (var i = 0; i < t.Rows.Count; i++)
        {
            var g = t.Text(i, group);
            if (g.Length == 0)
                t.Problem($"{path}: row {CsvColumns.RowNumber(i)}, column 'group': value '' is empty; fix: name the model's group.");
            var b = t.Text(i, benchmark);
            if (b.Length == 0)
                t.Problem($"{path}: row {CsvColumns.RowNumber(i)}, column 'benchmark': value '' is empty; fix: name the benchmark.");
            var h = t.Boolean(i, higher);
            var s = t.Number(i, score, positive: false);
            if (!h && s <= 0)
                t.Problem($"{path}: row {CsvColumns.RowNumber(i)}, column 'score': value '{t.Text(i, score)}' must be greater than 0 for a " +
                          "lower-is-better metric (it is fitted as a power law in log space); fix: correct the value or the direction.");
            var optional = (int c) => c >= 0 && t.Text(i, c).Length > 0 ? t.Number(i, c, positive: c != chanceCol) : double.NaN;
            rows.Add((g, t.Text(i, model), b, t.Number(i, compute, positive: true), s, h, optional(paramsCol), optional(tokensCol), optional(chanceCol), i));
        }
        foreach (var byBenchmark in rows.GroupBy(r => r.Benchmark).Where(g => g.Select(r => r.Higher).Distinct().Count() > 1))
        {
            var r = byBenchmark.First(x => x.Higher != byBenchmark.First().Higher);
            t.Problem($"{path}: row {CsvColumns.RowNumber(r.Row)}, column 'higher_is_better': value '{t.Text(r.Row, higher)}' contradicts earlier rows " +
                      $"of benchmark '{byBenchmark.Key}'; fix: use one direction per benchmark.");
        }
        var groups = rows.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var (name, option) in treatments.Select(x => (x, "--treatment")).Prepend((baseline, "--baseline")))
            if (!groups.Contains(name))
                t.Problem($"{path}: column 'group': no row has group '{name}' (given by {option}); groups present: {string.Join(", ", groups)}. " +
                          $"Fix: pass {option} with one of them or add that group's rows.");
        t.ThrowIfProblems();

        var metrics = rows.GroupBy(r => r.Benchmark).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var higherIsBetter = g.First().Higher;
            var chance = g.Select(r => r.Chance).FirstOrDefault(double.IsFinite, double.NaN);
            var points = g.Select(r => new MetricPoint(r.Group, r.Group + "/" + r.Model, r.Model, "",
                double.IsFinite(r.Params) ? r.Params : 0, double.IsFinite(r.Tokens) ? r.Tokens : 0,
                new FlopBreakdown(r.Compute), r.Score, true, r.Group + "/" + r.Model)).ToList();
            return new MetricSeries(g.Key, higherIsBetter ? MetricKind.Score : MetricKind.Loss, chance, points);
        }).ToList();
        return new EstimationInput
        {
            Source = path,
            BaselineGroup = baseline,
            TreatmentGroups = treatments,
            Metrics = metrics,
            FixedAccounting = [AccountingScenario.Student],
        };
    }
}
