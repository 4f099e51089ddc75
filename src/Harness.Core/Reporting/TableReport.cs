using System.Globalization;
using System.Text;
using Harness.Estimation.PublicTables;
using Harness.Results;
using ScottPlot;
using Harness.IO;

namespace Harness.Reporting;

/// <summary>
/// The report of a public-table estimate (table_report.md with PNG figures): score against log compute per group with
/// each baseline family's frontier, M per treatment model with lower-bound arrows, and M against student size.
/// </summary>
public static class TableReport
{
    public const string MarkdownFile = "table_report.md";
    public const string FiguresFolder = "table_report_files";

    /// <summary>"3.2× [1.1, 9]", "≥ 45×", "≤ 0.5×", or the status.</summary>
    public static string Cell(TableMultiplierRow r)
    {
        if (r.M is not { } m) return r.Status;
        var prefix = r.Bound == BoundKind.Lower ? "≥ " : r.Bound == BoundKind.Upper ? "≤ " : "";
        var ci = r.MCi95Low is { } lo && r.MCi95High is { } hi ? $" [{Number(lo)}, {Number(hi)}]" : "";
        var sig = r.MSigmoid is { } s ? $" (sigmoid extrap. {Number(s)}×)" : "";
        var years = r.Years is { } y ? $" {y.ToString("0.0", CultureInfo.InvariantCulture)} y" : "";
        var median = r.MMedian is { } md ? $"; median {Number(md)}×" + (r.MMedianCi95Low is { } ml && r.MMedianCi95High is { } mh ? $" [{Number(ml)}, {Number(mh)}]" : "") : "";
        return prefix + Number(m) + "×" + ci + sig + years + (r.Extrapolated ? "*" : "") + median;
    }

    public static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "∞" : double.IsNaN(v) ? "–" : Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0)
            ? v.ToString("0.##e0", CultureInfo.InvariantCulture) : v.ToString(Math.Abs(v) >= 10 ? "0.#" : "0.###", CultureInfo.InvariantCulture);

    public static string Write(TableEstimate e, string dir)
    {
        var figuresDir = Path.Combine(dir, FiguresFolder);
        Directory.CreateDirectory(figuresDir);
        var md = new StringBuilder();
        md.AppendLine($"# Public-table estimate: {Path.GetFileName(e.Request.Path)}").AppendLine();
        md.AppendLine($"Baseline families: {string.Join(", ", e.Request.Baselines)}. Treatment: {string.Join(", ", e.Request.Treatments)}. " +
                      $"Frontier: {(e.Frontier == TableFrontierKind.Envelope ? "running best of each family, score linear in ln C between adjacent frontier models" : "least squares y = a + b·ln C" + (e.Request.Covariate is not null ? $" [+ γ·({e.Request.Covariate} − {e.ReferenceDate:yyyy-MM-dd})]" : ""))}. " +
                      $"M = C_B(y_T) / C_T; ≥ marks a lower bound (the treatment beats every model of the family), ≤ an upper bound; " +
                      $"95% intervals from {e.Request.Replicates} bootstrap resamples of models.").AppendLine();
        foreach (var n in e.Table.Notes) md.AppendLine($"- {n}");
        md.AppendLine();
        var benchmarks = e.Rows.Select(r => r.Benchmark).Distinct().ToList();
        foreach (var benchmark in benchmarks)
        {
            md.AppendLine($"## {benchmark}").AppendLine();
            var rows = e.Rows.Where(r => r.Benchmark == benchmark).ToList();
            var controls = rows.Select(r => r.Control).Distinct().OrderBy(c => c == TableEstimator.NoControl ? 0 : 1).ToList();
            md.AppendLine("| baseline | treatment model | score | " + string.Join(" | ", controls.Select(c => c == TableEstimator.NoControl ? "M" : "M (date covariate)")) + " | note |");
            md.AppendLine("|---|---|---:|" + string.Concat(controls.Select(_ => "---:|")) + "---|");
            foreach (var key in rows.Select(r => (r.Baseline, r.Treatment, r.Model, r.Kind)).Distinct())
            {
                var same = rows.Where(r => (r.Baseline, r.Treatment, r.Model, r.Kind) == key).ToList();
                var label = key.Kind == TableRowKind.GroupMean ? $"**{key.Treatment}** (geometric mean of {same[0].Points})" : key.Model;
                md.AppendLine($"| {key.Baseline} | {label} | {(key.Kind == TableRowKind.GroupMean ? "" : Number(same[0].Score))} | " +
                              string.Join(" | ", controls.Select(c => same.FirstOrDefault(r => r.Control == c) is { } r ? Cell(r) : "")) +
                              $" | {same[0].Note} |");
            }
            md.AppendLine();
            var sources = e.Table.Models.Where(m => m.Benchmark == benchmark && m.SourceNote.Length > 0)
                           .GroupBy(m => (m.Group, m.SourceNote)).Select(g => $"- {g.Key.Group} ({g.Count()} models): {g.Key.SourceNote}").Distinct().ToList();
            if (sources.Count > 0)
            {
                md.AppendLine("Sources and caveats (the table's source_note; scores from different protocols are compared as published):").AppendLine();
                foreach (var line in sources) md.AppendLine(line);
                md.AppendLine();
            }
            foreach (var figure in new[] { Capability(e, benchmark), Multipliers(e, benchmark) })
                md.Append(Save(figure, figuresDir));
        }
        if (e.Rows.Any(r => r.Kind == TableRowKind.Point && r.Params is not null && r.M is not null))
        {
            md.AppendLine("## M against student size").AppendLine();
            md.Append(Save(MultiplierVsSize(e), figuresDir));
        }
        var fitsSection = e.Fits.Where(f => f.Parameters.Count > 0).ToList();
        if (fitsSection.Count > 0)
        {
            md.AppendLine("## Frontier fits").AppendLine();
            md.AppendLine("| baseline | benchmark | control | models | parameters [95% CI] |").AppendLine("|---|---|---|---:|---|");
            foreach (var f in fitsSection)
                md.AppendLine($"| {f.Baseline} | {f.Benchmark} | {f.Control} | {f.BaselineModels} | " +
                              string.Join("; ", f.Parameters.Select(p => $"{p.Name} = {Number(p.Value)} [{Number(p.Ci95Low)}, {Number(p.Ci95High)}]")) + " |");
            md.AppendLine();
        }
        var path = Path.Combine(dir, MarkdownFile);
        AtomicFile.WriteAllText(path, md.ToString());
        return path;
    }

    static string Save(ReportFigure figure, string dir)
    {
        AtomicFile.WriteAllBytes(Path.Combine(dir, figure.Id + ".png"), figure.Plot.GetImageBytes(figure.Width, figure.Height, ImageFormat.Png));
        figure.Plot.Dispose();
        return $"![{figure.Title}]({FiguresFolder}/{figure.Id}.png)\n\n*{figure.Caption}*\n\n";
    }

    static readonly MarkerShape[] Shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle];

    static ReportFigure Capability(TableEstimate e, string benchmark)
    {
        var plot = ReportFigures.NewPlot($"{benchmark} vs training compute", "training compute, FLOP (log scale)", benchmark);
        var models = e.Table.Models.Where(m => m.Benchmark == benchmark).ToList();
        var groups = e.Request.Baselines.Concat(e.Request.Treatments).Where(g => models.Any(m => m.Group == g)).ToList();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var g = models.Where(m => m.Group == groups[gi]).OrderBy(m => m.Compute).ToList();
            var isBaseline = e.Request.Baselines.Contains(groups[gi]);
            var color = ReportFigures.Palette.GetColor(gi);
            var points = plot.Add.ScatterPoints(g.Select(m => Math.Log10(m.Compute)).ToArray(), g.Select(m => m.Score).ToArray(), color);
            points.MarkerShape = Shapes[gi % Shapes.Length];
            points.MarkerSize = isBaseline ? 7 : 10;
            points.LegendText = groups[gi] + (isBaseline ? " (baseline)" : "");
            if (!isBaseline && g.Count <= 12)
                foreach (var m in g)
                {
                    var text = plot.Add.Text(m.Model, Math.Log10(m.Compute), m.Score);
                    text.LabelFontSize = 9;
                    text.LabelFontColor = color;
                }
            if (!isBaseline) continue;
            var fit = e.Fits.FirstOrDefault(f => f.Baseline == groups[gi] && f.Benchmark == benchmark && f.Control == TableEstimator.NoControl);
            if (fit is null) continue;
            if (fit.FrontierModels.Count > 0)
            {
                var line = plot.Add.ScatterLine(fit.FrontierModels.Select(f => Math.Log10(f.Compute)).ToArray(), fit.FrontierModels.Select(f => f.Score).ToArray(), color);
                line.LinePattern = LinePattern.Dashed;
                line.LineWidth = 2;
                line.LegendText = $"{groups[gi]} running-best frontier";
            }
            else if (fit.Parameters.Count >= 2)
            {
                double a = fit.Parameters[0].Value, b = fit.Parameters[1].Value;
                double lo = g.Min(m => Math.Log(m.Compute)), hi = g.Max(m => Math.Log(m.Compute));
                var line = plot.Add.ScatterLine(new[] { lo / Math.Log(10), hi / Math.Log(10) }, new[] { a + b * lo, a + b * hi }, color);
                line.LinePattern = LinePattern.Dashed;
                line.LineWidth = 2;
                line.LegendText = $"{groups[gi]} least-squares fit (no covariate)";
            }
        }
        ReportFigures.LogAxis(plot.Axes.Bottom, models.Select(m => Math.Log10(m.Compute)), ReportFigures.Flops);
        plot.ShowLegend(Edge.Right);
        var caption = "Every model of the table on this benchmark; dashed: each baseline family's frontier " +
                      (e.Frontier == TableFrontierKind.Envelope ? "(running best: a model counts only if it beats every cheaper model of its family)." : "(least squares in ln C, without the covariate).");
        return new ReportFigure($"capability-{ReportFigures.Slug(benchmark)}", $"{benchmark} vs compute", caption, plot, 1100, 600);
    }

    /// <summary>One marker per treatment model (x = its compute): points with 95% CI bars, bounds as arrows.</summary>
    static ReportFigure Multipliers(TableEstimate e, string benchmark)
    {
        var plot = ReportFigures.NewPlot($"M per treatment model — {benchmark}", "treatment model's training compute, FLOP (log scale)", "M (log scale; > 1: treatment needs less compute)");
        var rows = e.Rows.Where(r => r.Benchmark == benchmark && r.Kind == TableRowKind.Point && r.M is > 0).ToList();
        var series = rows.Select(r => (r.Baseline, r.Control)).Distinct().ToList();
        var ys = new List<double> { 0 };
        for (var si = 0; si < series.Count; si++)
        {
            var s = rows.Where(r => (r.Baseline, r.Control) == series[si]).ToList();
            var color = ReportFigures.Palette.GetColor(si);
            var offset = (si - (series.Count - 1) / 2.0) * 0.03;
            AddSeries(plot, s, r => Math.Log10(r.Compute) + offset, color, Shapes[si % Shapes.Length],
                      series[si].Baseline + (series[si].Control == TableEstimator.DateControl ? " (date covariate)" : ""), ys);
        }
        ReportFigures.BreakEven(plot);
        ReportFigures.LogAxis(plot.Axes.Bottom, rows.Select(r => Math.Log10(r.Compute)), ReportFigures.Flops);
        ReportFigures.LogAxis(plot.Axes.Left, ys, ReportFigures.Times);
        plot.ShowLegend(Edge.Right);
        var caption = "Bars: 95% bootstrap interval over models. An upward arrow is a lower bound (the treatment beats every model of that family; " +
                      "the marker sits at best-baseline compute / treatment compute), a downward arrow an upper bound. Dashed line: 1×.";
        return new ReportFigure($"multipliers-{ReportFigures.Slug(benchmark)}", $"M per treatment model ({benchmark})", caption, plot, 1100, 600);
    }

    static ReportFigure MultiplierVsSize(TableEstimate e)
    {
        var plot = ReportFigures.NewPlot("M against student size", "student parameters (log scale)", "M (log scale)");
        var rows = e.Rows.Where(r => r.Kind == TableRowKind.Point && r.Params is > 0 && r.M is > 0 && r.Control == TableEstimator.NoControl).ToList();
        var series = rows.Select(r => (r.Benchmark, r.Baseline)).Distinct().ToList();
        var ys = new List<double> { 0 };
        for (var si = 0; si < series.Count; si++)
        {
            var s = rows.Where(r => (r.Benchmark, r.Baseline) == series[si]).OrderBy(r => r.Params).ToList();
            var offset = (si - (series.Count - 1) / 2.0) * 0.015;
            AddSeries(plot, s, r => Math.Log10(r.Params!.Value) + offset, ReportFigures.Palette.GetColor(si), Shapes[si % Shapes.Length],
                      $"{series[si].Benchmark} vs {series[si].Baseline}", ys, connect: true);
        }
        ReportFigures.BreakEven(plot);
        ReportFigures.LogAxis(plot.Axes.Bottom, rows.Select(r => Math.Log10(r.Params!.Value)), ReportFigures.Flops);
        ReportFigures.LogAxis(plot.Axes.Left, ys, ReportFigures.Times);
        plot.ShowLegend(Edge.Right);
        return new ReportFigure("multiplier-vs-size", "M against student size", "Each line: one benchmark against one baseline family, students in order of size. " +
                                "Arrows mark bounds as in the per-benchmark figures; the claim \"gains shrink with size\" predicts lines falling to the right.", plot, 1100, 600);
    }

    static void AddSeries(Plot plot, List<TableMultiplierRow> rows, Func<TableMultiplierRow, double> x, Color color, MarkerShape shape, string legend, List<double> ys, bool connect = false)
    {
        var xs = rows.Select(x).ToArray();
        var y = rows.Select(r => Math.Log10(r.M!.Value)).ToArray();
        ys.AddRange(y);
        var marks = connect ? plot.Add.Scatter(xs, y, color) : plot.Add.ScatterPoints(xs, y, color);
        marks.MarkerShape = shape;
        marks.MarkerSize = 9;
        marks.LegendText = legend;
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (r.Bound != BoundKind.None)
            {
                var tip = y[i] + (r.Bound == BoundKind.Lower ? 0.35 : -0.35);
                var arrow = plot.Add.Arrow(new Coordinates(xs[i], y[i]), new Coordinates(xs[i], tip));
                arrow.ArrowFillColor = color;
                arrow.ArrowLineColor = color;
                ys.Add(tip);
            }
            else if (r.MCi95Low is > 0 && r.MCi95High is { } hi && double.IsFinite(hi))
            {
                var lo = Math.Log10(r.MCi95Low.Value);
                var line = plot.Add.Line(xs[i], lo, xs[i], Math.Log10(hi));
                line.Color = color;
                line.LineWidth = 1.5f;
                ys.Add(lo);
                ys.Add(Math.Log10(hi));
            }
            else if (r.MCi95Low is > 0 && r.MCi95High is { } inf && double.IsPositiveInfinity(inf))
            {
                var lo = Math.Log10(r.MCi95Low.Value);
                var arrow = plot.Add.Arrow(new Coordinates(xs[i], lo), new Coordinates(xs[i], y[i] + 0.35));
                arrow.ArrowFillColor = color.WithAlpha(0.4);
                arrow.ArrowLineColor = color.WithAlpha(0.4);
                ys.Add(lo);
            }
        }
    }
}
