using System.Globalization;
using Harness.Results;
using ScottPlot;
using Harness.Estimation;

namespace Harness.Reporting;

/// <summary>One figure of the report: a ScottPlot plot plus the words around it.</summary>
public sealed record ReportFigure(string Id, string Title, string Caption, Plot Plot, int Width = 960, int Height = 560);

/// <summary>
/// Builds the report's figures with ScottPlot.  Log axes are drawn the ScottPlot 5 way: the data are plotted as
/// log10(value) and the tick labels format 10^tick back.
/// </summary>
public static class ReportFigures
{

    internal static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>
    /// A font family installed here that has the glyphs we print (×, −, ∞): DejaVu Sans on Debian, else Skia's default.
    /// Chosen explicitly so PNG and SVG text look the same on every machine that has it.
    /// </summary>
    static readonly string? FontFamily = SkiaSharp.SKFontManager.Default.GetFontFamilies()
        .FirstOrDefault(f => f is "DejaVu Sans" or "Liberation Sans" or "Arial");

    internal static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (FontFamily is { } family) plot.Font.Set(family);
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        return plot;
    }

    /// <summary>
    /// Labelled ticks for a log10 axis spanning <paramref name="log10Values"/>, all inside the data's range (so none is
    /// clipped by the plot's limits): whole decades when they give at least three labels (every k-th decade past ten),
    /// else 1-2-5 × 10^k, else — under about half a decade, where a log axis is nearly linear — evenly stepped values
    /// (a 1, 2 or 5 × 10^k step giving 3 to 10 ticks).  Never fewer than three labels; labels are
    /// <paramref name="format"/> of the value.
    /// </summary>
    public static IReadOnlyList<(double Position, string Label)> LogTicks(IEnumerable<double> log10Values, Func<double, string> format)
    {
        var values = log10Values.Where(double.IsFinite).ToList();
        if (values.Count == 0) return [];
        double lo = values.Min(), hi = values.Max();
        if (hi - lo < 0.02) { lo -= 0.01; hi += 0.01; }
        const double pad = 1e-6;
        List<(double, string)> With(double[] mantissas, int every = 1)
        {
            var ticks = new List<(double, string)>();
            for (var k = (int)Math.Floor(lo) - 1; k <= (int)Math.Ceiling(hi) + 1; k++)
            {
                if (mantissas.Length == 1 && ((k % every) + every) % every != 0) continue;
                foreach (var m in mantissas)
                {
                    var position = k + Math.Log10(m);
                    if (position >= lo - pad && position <= hi + pad) ticks.Add((position, format(m * Math.Pow(10, k))));
                }
            }
            return ticks;
        }
        var decades = With([1.0], every: Math.Max(1, (int)Math.Ceiling((hi - lo) / 10)));
        if (decades.Count >= 3) return decades;
        var oneTwoFive = With([1.0, 2.0, 5.0]);
        if (oneTwoFive.Count >= 3) return oneTwoFive;
        // Linear steps in value space: the largest 1/2/5 × 10^k step that still gives three ticks.
        double vlo = Math.Pow(10, lo), vhi = Math.Pow(10, hi);
        foreach (var step in Enumerable.Range(-12, 40).Reverse().SelectMany(e => new[] { 5.0, 2.0, 1.0 }.Select(m => m * Math.Pow(10, e))))
        {
            var first = Math.Ceiling(vlo / step - 1e-9);
            var last = Math.Floor(vhi / step + 1e-9);
            var count = last - first + 1;
            if (count < 3) continue;
            if (count > 10) break;
            var ticks = new List<(double, string)>();
            for (var i = first; i <= last; i++)
            {
                var v = Math.Round(i * step, 12);
                if (v > 0) ticks.Add((Math.Log10(v), format(v)));
            }
            if (ticks.Count >= 3 && ticks.Select(t => t.Item2).Distinct().Count() == ticks.Count) return ticks;
        }
        return Enumerable.Range(0, 4).Select(i => lo + (hi - lo) * i / 3).Select(x => (x, format(Math.Pow(10, x)))).ToList();
    }

    internal static void LogAxis(IAxis axis, IEnumerable<double> log10Values, Func<double, string> format)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var major = LogTicks(log10Values, format);
        foreach (var (position, label) in major) ticks.AddMajor(position, label);
        if (major.Count > 0)
        {
            // Minor ticks at 2…9 × 10^k, unlabelled.
            double lo = major.Min(t => t.Position) - 1, hi = major.Max(t => t.Position) + 1;
            for (var k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
                for (var m = 2; m <= 9; m++)
                    if (k + Math.Log10(m) is var x && x >= major[0].Position && x <= major[^1].Position) ticks.AddMinor(x);
        }
        axis.TickGenerator = ticks;
    }

    /// <summary>The y-axis label of a metric, with its unit: val_loss in nats/token, val_bpb in bits/byte, task_loss in nats per item.</summary>
    public static string MetricLabel(string metric) => ResultMetrics.Normalise(metric) switch
    {
        "val_loss" or "loss" => metric + " (nats/token)",
        "val_bpb" or "bpb" => metric + " (bits/byte)",
        var m when m.EndsWith("task_loss", StringComparison.Ordinal) => metric + " (nats/item, −ln p(gold))",
        _ => metric,
    };

    public static string Flops(double v) => v <= 0 || !double.IsFinite(v) ? v.ToString(CultureInfo.InvariantCulture)
        : Math.Abs(Math.Log10(v) - Math.Round(Math.Log10(v))) < 1e-9 ? $"1e{Math.Round(Math.Log10(v)):0}" : v.ToString("0.##e0", CultureInfo.InvariantCulture);

    /// <summary>A multiplier as text: 1.55×, 0.512×, 0.0031× — three significant figures below 1, so no small value prints as "0×".</summary>
    public static string Times(double v) =>
        !double.IsFinite(v) ? (double.IsPositiveInfinity(v) ? "∞×" : "") :
        v >= 100 ? v.ToString("0", CultureInfo.InvariantCulture) + "×" :
        v >= 1 ? v.ToString("0.##", CultureInfo.InvariantCulture) + "×" :
        v >= 1e-4 ? v.ToString("G3", CultureInfo.InvariantCulture) + "×" :
        v > 0 ? v.ToString("0.##e0", CultureInfo.InvariantCulture) + "×" : v.ToString("0.###", CultureInfo.InvariantCulture) + "×";

    /// <summary>Orders student names by size (non-embedding parameters), unknown sizes last, by name.</summary>
    public static IEnumerable<string> BySize(IEnumerable<string> students, IReadOnlyDictionary<string, double> sizes) =>
        students.Distinct().OrderBy(s => sizes.TryGetValue(s, out var n) ? n : double.MaxValue).ThenBy(s => s, StringComparer.Ordinal);

    static MarkerShape MethodMarker(string method) => method switch
    {
        ResultSchema.ScratchMethod => MarkerShape.FilledCircle,
        "logit-kd" => MarkerShape.FilledTriangleUp,
        "seq-kd" => MarkerShape.FilledSquare,
        _ => MarkerShape.FilledDiamond,
    };

    /// <summary>
    /// Capability vs compute for one metric: every baseline unit's curve (line and points), every treatment unit's
    /// points, the fitted frontier or, without a usable fit, the empirical envelope of the baseline (said in the title).
    /// </summary>
    public static ReportFigure Capability(ResultsFolder folder, string metric, bool lowerIsBetter, out string frontierNote)
    {
        var points = CapabilityPoints.For(folder, metric, out _);
        var sizes = folder.StudentParams();
        var students = BySize(points.Select(p => p.Student), sizes).ToList();
        var fit = FrontierFits.Of(folder).For(metric);
        var frontierKind = fit is not null ? $"fitted {fit.Form.Replace('_', ' ')} frontiers of both arms"
                                           : $"no fit in fits.json: empirical {(lowerIsBetter ? "lower" : "upper")} envelopes of both arms";
        frontierNote = fit is not null ? $"Frontiers from fits.json (each arm fitted on its finished runs by the same rule), solid over the student compute of the arm's runs and dashed beyond it, where the line is the law's extrapolation" +
                                         (FrontierFits.Of(folder).Arms(metric).Any(a => a.AtBound) ? "; \"a parameter on its bound\": the law is not identified there (see the warnings)" : "") +
                                         $" — {string.Join("; ", FrontierFits.Of(folder).Arms(metric).Select(a => a.Description))}." : $"No usable frontier for {metric} in fits.json; the lines are each arm's empirical {(lowerIsBetter ? "lower" : "upper")} envelope of its finished runs.";
        var plot = NewPlot($"{metric} vs compute — {frontierKind}", "compute: student training FLOPs (log scale)", MetricLabel(metric));

        var legendDone = new HashSet<(string, string)>();
        var methods = points.Select(p => p.Method).Distinct().OrderBy(m => m == ResultSchema.ScratchMethod ? 0 : 1).ThenBy(m => m, StringComparer.Ordinal);
        foreach (var method in methods)
            foreach (var unit in points.Where(p => p.Method == method).GroupBy(p => p.UnitKey).OrderBy(g => students.IndexOf(g.First().Student)).ThenBy(g => g.First().Budget, StringComparer.Ordinal))
            {
                var ordered = unit.OrderBy(p => p.StudentCompute).ToArray();
                var student = ordered[0].Student;
                var color = Palette.GetColor(Math.Max(0, students.IndexOf(student)));
                var xs = ordered.Select(p => Math.Log10(p.StudentCompute)).ToArray();
                var ys = ordered.Select(p => p.Value).ToArray();
                var isBaseline = method == ResultSchema.ScratchMethod;
                var series = isBaseline ? plot.Add.Scatter(xs, ys, color) : plot.Add.ScatterPoints(xs, ys, color);
                series.MarkerShape = MethodMarker(method);
                series.MarkerSize = isBaseline ? 5 : 8;
                series.LineWidth = isBaseline ? 1.5f : 0;
                if (legendDone.Add((method, student)))
                    series.LegendText = $"{method} {student}" + (sizes.TryGetValue(student, out var n) ? $" ({Flops(n)} params)" : "");
            }

        var allX = points.Select(p => p.StudentCompute).Where(c => c > 0).ToList();
        if (allX.Count > 0)
        {
            var arms = FrontierFits.Of(folder).Arms(metric);
            if (arms.Count > 0)
            {
                double lo = Math.Log10(allX.Min()), hi = Math.Log10(allX.Max());
                var xs = Enumerable.Range(0, 200).Select(i => lo + (hi - lo) * i / 199).ToArray();
                for (var a = 0; a < arms.Count; a++)
                {
                    var arm = arms[a];
                    var ys = xs.Select(x => arm.Predict(Math.Pow(10, x))).ToArray();
                    var keep = Enumerable.Range(0, xs.Length).Where(i => double.IsFinite(ys[i])).ToArray();
                    var isBaseline = arm.Group == ResultSchema.ScratchMethod || a == 0;
                    var color = isBaseline ? Colors.Black : Colors.DarkRed;
                    var flag = arm.AtBound ? "; a parameter on its bound" : "";
                    // Solid over the compute the arm's runs cover, dashed and labelled beyond it (issue 23): there the
                    // line is the law's extrapolation, not the data's.
                    bool Inside(int i) => !double.IsFinite(arm.MinCompute) || (xs[i] >= Math.Log10(arm.MinCompute) - 1e-9 && xs[i] <= Math.Log10(arm.MaxCompute) + 1e-9);
                    var inside = keep.Where(Inside).ToArray();
                    if (inside.Length > 1)
                    {
                        var line = plot.Add.ScatterLine(inside.Select(i => xs[i]).ToArray(), inside.Select(i => ys[i]).ToArray(), color);
                        line.LineWidth = 2.5f;
                        line.LegendText = $"{arm.Group} frontier ({arm.Form.Replace('_', ' ')} fit{flag})";
                    }
                    var legendDoneBeyond = false;
                    foreach (var segment in new[] { keep.Where(i => !Inside(i) && xs[i] < Math.Log10(arm.MinCompute)), keep.Where(i => !Inside(i) && xs[i] > Math.Log10(arm.MaxCompute)) })
                    {
                        // Join the dashed part to the solid one at the edge of the data.
                        var idx = segment.ToList();
                        if (idx.Count == 0) continue;
                        var edge = idx[0] < (inside.Length > 0 ? inside[0] : int.MaxValue) ? inside.FirstOrDefault(-1) : inside.LastOrDefault(-1);
                        if (edge >= 0) idx = [.. idx.Append(edge).Order()];
                        if (idx.Count < 2) continue;
                        var beyond = plot.Add.ScatterLine(idx.Select(i => xs[i]).ToArray(), idx.Select(i => ys[i]).ToArray(), color);
                        beyond.LineWidth = 1.5f;
                        beyond.LinePattern = LinePattern.Dashed;
                        if (!legendDoneBeyond) beyond.LegendText = $"{arm.Group} frontier extrapolated (beyond its runs' compute)";
                        legendDoneBeyond = true;
                    }
                    if (inside.Length <= 1 && !legendDoneBeyond)
                    {
                        var line = plot.Add.ScatterLine(keep.Select(i => xs[i]).ToArray(), keep.Select(i => ys[i]).ToArray(), color);
                        line.LineWidth = 1.5f;
                        line.LinePattern = LinePattern.Dashed;
                        line.LegendText = $"{arm.Group} frontier ({arm.Form.Replace('_', ' ')} fit{flag}; outside its runs' compute)";
                    }
                }
            }
            else
            {
                // Both arms: the baseline's envelope dashed black, each treatment's dotted.
                var methodArms = points.Select(p => p.Method).Distinct().OrderBy(x => x == ResultSchema.ScratchMethod ? 0 : 1).ThenBy(x => x, StringComparer.Ordinal).ToList();
                foreach (var (method, i) in methodArms.Select((x, i) => (x, i)))
                {
                    var envelope = CapabilityPoints.Envelope(points.Where(p => p.Method == method && p.IsFinal), lowerIsBetter);
                    if (envelope.Count == 0) continue;
                    var isBaseline = method == ResultSchema.ScratchMethod;
                    var line = plot.Add.ScatterLine(envelope.Select(e => Math.Log10(e.Compute)).ToArray(), envelope.Select(e => e.Value).ToArray(),
                                                    isBaseline ? Colors.Black : i == 1 ? Colors.DarkRed : Palette.GetColor(i + 3));
                    line.LineWidth = 2.5f;
                    line.LinePattern = isBaseline ? LinePattern.Dashed : LinePattern.Dotted;
                    line.LegendText = $"{method} frontier (empirical envelope of finished runs)";
                }
            }
        }
        var chance = Chance(folder, metric);
        if (double.IsFinite(chance))
        {
            var line = plot.Add.HorizontalLine(chance, 2, Colors.Red, LinePattern.Dashed);
            line.LegendText = $"chance ({chance.ToString("0.###", CultureInfo.InvariantCulture)})";
        }
        LogAxis(plot.Axes.Bottom, allX.Select(Math.Log10), Flops);
        plot.ShowLegend(Edge.Right);
        var caption = $"Each line is one scratch unit's training curve; markers without lines are treatment units ({string.Join(", ", points.Select(p => p.Method).Where(m => m != ResultSchema.ScratchMethod).Distinct())}). " +
                      $"Colour = student size, marker = method. {frontierNote}";
        return new ReportFigure($"capability-{Slug(metric)}", $"{metric} vs compute", caption, plot);
    }

    /// <summary>Per-size multipliers (log–log): estimand (b) same_size by_student rows, one series per accounting scenario, 95% CI bars.</summary>
    public static ReportFigure MultiplierVsSize(ResultsFolder folder, string treatment, string metric)
    {
        var sizes = folder.StudentParams();
        var rows = folder.Multipliers.Where(r => r.Treatment == treatment && ResultMetrics.Normalise(r.Metric) == ResultMetrics.Normalise(metric)
                                                 && r.Kind == MultiplierKind.ByStudent && r.Estimand == Estimand.SameSize).ToList();
        var plot = NewPlot($"{treatment} same-size gain vs student size — {metric}", "student non-embedding parameters (log scale)", "multiplier (log scale; >1: treatment cheaper)");
        var accountings = rows.Select(r => r.Accounting).Distinct().OrderBy(AccountingScenario.Rank).ThenBy(a => a, StringComparer.Ordinal).ToList();
        var allX = new List<double>();
        var allY = new List<double>();
        for (var ai = 0; ai < accountings.Count; ai++)
        {
            var series = rows.Where(r => r.Accounting == accountings[ai])
                             .Select(r => (Row: r, Params: r.Params ?? sizes.GetValueOrDefault(r.Student, double.NaN)))
                             .Where(x => double.IsFinite(x.Params) && x.Row.M is > 0 && double.IsFinite(x.Row.M.Value))
                             .OrderBy(x => x.Params).ToList();
            if (series.Count == 0) continue;
            var offset = (ai - (accountings.Count - 1) / 2.0) * 0.012;
            var xs = series.Select(x => Math.Log10(x.Params) + offset).ToArray();
            var ys = series.Select(x => Math.Log10(x.Row.M!.Value)).ToArray();
            AddWithCi(plot, xs, ys, series.Select(x => x.Row).ToList(), Palette.GetColor(ai), MarkerShape.FilledCircle, accountings[ai], connect: true);
            allX.AddRange(xs);
            allY.AddRange(ys);
        }
        BreakEven(plot);
        LogAxis(plot.Axes.Bottom, allX, Flops);
        LogAxis(plot.Axes.Left, allY.Append(0), Times);
        plot.ShowLegend(Edge.Right);
        var censored = rows.Count(r => r.Bound != MultiplierBound.None);
        var caption = "Estimand (b): per student size, the geometric mean over its (budget, seed) pairs of the scratch tokens needed to reach the treatment's value ÷ the treatment's, " +
                      "as compute under each accounting scenario; bars: 95% seed-cluster bootstrap CI; dashed line: break-even (1×)." +
                      (censored > 0 ? $" {censored} point(s) include censored pairs (bounds at the edge of the scratch runs' budgets)." : "");
        return new ReportFigure($"multiplier-size-{Slug(treatment)}-{Slug(metric)}", $"{treatment} same-size gain vs student size ({metric})", caption, plot);
    }

    static void AddWithCi(Plot plot, double[] xs, double[] ys, IReadOnlyList<MultiplierRow> rows, Color color, MarkerShape shape, string legend, bool connect)
    {
        var up = rows.Select((r, i) => r.MCi95High is { } h && double.IsFinite(h) && h > 0 ? Math.Log10(h) - ys[i] : 0).ToArray();
        var down = rows.Select((r, i) => r.MCi95Low is { } l && double.IsFinite(l) && l > 0 ? ys[i] - Math.Log10(l) : 0).ToArray();
        var bars = plot.Add.ErrorBar(xs, ys, up);
        bars.YErrorPositive = up;
        bars.YErrorNegative = down;
        bars.Color = color;
        bars.LineWidth = 1.5f;
        var points = connect ? plot.Add.Scatter(xs, ys, color) : plot.Add.ScatterPoints(xs, ys, color);
        points.MarkerShape = shape;
        points.MarkerSize = 8;
        points.LineWidth = connect ? 1 : 0;
        points.LegendText = legend;
    }

    internal static void BreakEven(Plot plot)
    {
        var line = plot.Add.HorizontalLine(0, 1.5f, Colors.Gray, LinePattern.Dashed);
        line.LegendText = "break-even (1×)";
    }

    /// <summary>
    /// Per-benchmark bars at the end of training: the teacher, then for each student size (at its largest budget, mean
    /// over seeds) scratch and every treatment; ±1 standard error bars; the task's chance level as a dashed line.
    /// </summary>
    public static ReportFigure BenchmarkBars(ResultsFolder folder, string task, string metric)
    {
        var sizes = folder.StudentParams();
        var finals = folder.Evals.Where(e => e.Task == task && e.Metric == metric && e.IsFinal && double.IsFinite(e.Value)).ToList();
        var full = finals.Where(e => !e.Subset).ToList();
        if (full.Count > 0) finals = full;
        var runs = folder.Runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First());
        var plot = NewPlot($"{task} ({metric}) at the end of training", "", MetricLabel(metric));
        var methods = new List<string> { ResultSchema.TeacherUnitKey, ResultSchema.ScratchMethod };
        methods.AddRange(finals.Select(e => e.Method).Where(m => !methods.Contains(m)).Distinct().Order(StringComparer.Ordinal));
        var bars = methods.ToDictionary(m => m, _ => new List<Bar>());
        var ticks = new List<(double, string)>();
        var position = 0.0;
        var teacher = finals.Where(e => e.UnitKey == ResultSchema.TeacherUnitKey).ToList();
        if (teacher.Count > 0)
        {
            bars[ResultSchema.TeacherUnitKey].Add(NewBar(position, teacher.Average(e => e.Value), teacher.Average(e => e.StdErr), Colors.DimGray));
            ticks.Add((position, "teacher"));
            position += 1.5;
        }
        var studentRows = finals.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey && runs.ContainsKey(e.UnitKey)).ToList();
        foreach (var student in BySize(studentRows.Select(e => runs[e.UnitKey].Student), sizes))
        {
            var any = false;
            foreach (var (method, mi) in methods.Skip(1).Select((m, i) => (m, i)))
            {
                var unitRows = studentRows.Where(e => e.Method == method && runs[e.UnitKey].Student == student).ToList();
                if (unitRows.Count == 0) continue;
                var maxTokens = unitRows.Max(e => runs[e.UnitKey].Tokens);
                var chosen = unitRows.Where(e => runs[e.UnitKey].Tokens == maxTokens).ToList();
                bars[method].Add(NewBar(position, chosen.Average(e => e.Value), chosen.Average(e => e.StdErr), Palette.GetColor(mi)));
                ticks.Add((position, $"{student}\n{method}"));
                position += 1;
                any = true;
            }
            if (any) position += 0.5;
        }
        foreach (var (method, list) in bars)
        {
            if (list.Count == 0) continue;
            var barPlot = plot.Add.Bars(list);
            barPlot.LegendText = method == ResultSchema.TeacherUnitKey ? "teacher" : method;
        }
        var chance = finals.Select(e => e.Chance).FirstOrDefault(double.IsFinite, double.NaN);
        if (double.IsFinite(chance))
        {
            var line = plot.Add.HorizontalLine(chance, 2, Colors.Red, LinePattern.Dashed);
            line.LegendText = $"chance ({chance.ToString("0.###", CultureInfo.InvariantCulture)})";
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Right);
        var caption = "Final full-set scores; each student bar is its largest budget (mean over seeds); error bars: ±1 bootstrap standard error; dashed red line: chance.";
        return new ReportFigure($"bench-{Slug(task)}-{Slug(metric)}", $"{task} ({metric})", caption, plot);
    }

    /// <summary>The chance level of a task metric (task/metric) from evals.csv; NaN for losses and when unknown.</summary>
    public static double Chance(ResultsFolder folder, string metric) =>
        folder.Evals.Where(e => ResultMetrics.Normalise(ResultMetrics.ForTask(e.Task, e.Metric)) == ResultMetrics.Normalise(metric))
                    .Select(e => e.Chance).FirstOrDefault(double.IsFinite, double.NaN);

    /// <summary>
    /// The headline figure: for the headline metric under student-only accounting, each treatment's M per estimand with
    /// its 95% CI, and the placebo (a scratch seed scored as a treatment; truth 1) per estimand, on a log axis with the
    /// break-even line at 1×.
    /// </summary>
    public static ReportFigure Headline(ResultsFolder folder, string metric)
    {
        var rows = new List<(string Label, double M, double Lo, double Hi, bool Placebo, MultiplierBound Bound, int Color)>();
        var summaries = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Metric == metric && r.Accounting == "student" && r.M is > 0).ToList();
        foreach (var (treatment, ti) in summaries.Select(r => r.Treatment).Distinct().Select((t, i) => (t, i)))
            foreach (var estimand in Enum.GetValues<Estimand>())
                if (summaries.FirstOrDefault(r => r.Treatment == treatment && r.Estimand == estimand) is { } r)
                    rows.Add(($"{treatment} · {estimand.OnDisk()}", r.M!.Value, r.MCi95Low ?? double.NaN, r.MCi95High ?? double.NaN, false, r.Bound, ti));
        var placebos = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Placebo && r.Metric == metric && r.Accounting == "student" && r.M is > 0).ToList();
        foreach (var estimand in Enum.GetValues<Estimand>())
            if (placebos.FirstOrDefault(r => r.Estimand == estimand) is { } p)
                rows.Add(($"placebo · {estimand.OnDisk()}", p.M!.Value, p.MCi95Low ?? double.NaN, p.MCi95High ?? double.NaN, true, p.Bound, 0));
        if (placebos.Count == 0 && folder.Summary is { } summary)
            foreach (var p in summary.Placebo.Where(p => p.Metric == metric && p.M is > 0))
                rows.Add(($"placebo · {p.Estimand.OnDisk()}", p.M!.Value, p.Ci95Low ?? double.NaN, p.Ci95High ?? double.NaN, true, MultiplierBound.None, 0));

        var plot = NewPlot($"Compute multiplier M on {metric} (student-only accounting)", "M: scratch compute ÷ treatment compute at equal " + metric + " (log scale; > 1: treatment cheaper)", "");
        var all = new List<double> { 0 };
        var ticks = new List<(double, string)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, m, lo, hi, placebo, bound, colorIndex) = rows[i];
            var y = rows.Count - 1 - i;
            var color = placebo ? Colors.Gray : Palette.GetColor(colorIndex);
            if (double.IsFinite(lo) && double.IsFinite(hi) && lo > 0 && hi > 0)
            {
                var ci = plot.Add.ScatterLine(new[] { Math.Log10(lo), Math.Log10(hi) }, new[] { (double)y, y }, color);
                ci.LineWidth = 3;
                all.AddRange([Math.Log10(lo), Math.Log10(hi)]);
            }
            var point = plot.Add.ScatterPoints(new[] { Math.Log10(m) }, new[] { (double)y }, color);
            point.MarkerShape = placebo ? MarkerShape.OpenCircle : bound != MultiplierBound.None ? MarkerShape.FilledTriangleUp : MarkerShape.FilledCircle;
            point.MarkerSize = 11;
            all.Add(Math.Log10(m));
            ticks.Add((y, label + (bound != MultiplierBound.None ? $" ({bound.OnDisk()} bound)" : "")));
        }
        plot.Add.VerticalLine(0, 1.5f, Colors.Black, LinePattern.Dashed);
        LogAxis(plot.Axes.Bottom, all, Times);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        plot.Axes.SetLimitsY(-0.7, Math.Max(0, rows.Count - 1) + 0.7);
        var caption = "Dashed line: break-even (1×). Dots: M with its 95% seed-cluster bootstrap interval (bar), per treatment and estimand (README \"Estimation\"); triangles: a bound (censored pairs); " +
                      "grey open circles: the placebo, one scratch seed scored as a treatment against the others, whose truth is 1× — an interval far from 1 means the design finds effects that are not there.";
        return new ReportFigure("headline", $"Compute multiplier on {metric}", caption, plot, 960, Math.Max(260, 90 + 46 * rows.Count));
    }

    static Bar NewBar(double position, double value, double error, Color color) => new()
    {
        Position = position,
        Value = value,
        Error = double.IsFinite(error) ? error : 0,
        FillColor = color,
        Size = 0.8,
    };

    /// <summary>Budgets in increasing order: by their leading number when they have one (20tpp, 1e15), else by median tokens.</summary>
    internal static double BudgetOrder(string budget, ResultsFolder folder)
    {
        var digits = new string(budget.TakeWhile(c => char.IsDigit(c) || c is '.' or 'e' or 'E' or '+' or '-').ToArray());
        while (digits.Length > 0 && !double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) digits = digits[..^1];
        if (digits.Length > 0) return double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        var tokens = folder.Runs.Where(r => r.Budget == budget).Select(r => (double)r.Tokens).Order().ToList();
        return tokens.Count > 0 ? 1e30 + tokens[tokens.Count / 2] : double.MaxValue;
    }

    internal static string Slug(string text) =>
        new string(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
}
