using System.Globalization;
using Harness.Estimation.Intervals;
using Harness.Results;
using MathNet.Numerics.Distributions;

namespace Harness.Estimation;

/// <summary>
/// The claims table of summary.json and the report (issue 23): each claim users bring to a distillation result, the
/// estimate of this run that tests it, its 95% interval, its minimum detectable effect and a verdict by a written rule
/// (README "Claims", which gives each rule's formula and the claim's source).  It reads only the estimator's rows
/// (<see cref="MultiplierRow"/>), so every number in it is one of multipliers.csv's or a formula over them.  Verdicts:
/// supported when the 95% interval lies on the claim's side of its threshold, contradicted when it lies on the other,
/// cannot tell when it straddles (or the estimate is a bound on the wrong side, or the metric's placebo excludes 1), and
/// not measured, saying what the run lacks, when no estimate tests the claim.
/// </summary>
public static class ClaimVerdicts
{
    /// <summary>"Several-fold": M ≥ 3 (README "Claims": "several" is more than a couple; the seeds' "4–7×" starts above it).</summary>
    public const double SeveralFold = 3;
    /// <summary>"Wildly" different across benchmarks: the largest per-task M at least this many times the smallest.</summary>
    public const double WildSpread = 2;
    /// <summary>A size trend counts when M changes by at least this factor across the run's own size range.</summary>
    public const double SizeTrendFactor = 1.25;
    /// <summary>Knowledge recall is "lost" when the knowledge task's M is below the loss M by at least this factor.</summary>
    public const double KnowledgeLossFactor = 1.25;
    /// <summary>The task whose task_loss measures knowledge recall (Evaluation/Tasks/KnowledgeTask).</summary>
    public const string KnowledgeTask = "knowledge";
    public const string LogitKd = "logit-kd";
    public const string SeqKd = "seq-kd";

    const string Seeds = "the seeds' claim (\"several-fold\", \"4–7×\" the compute; README \"Public-model tables\")";
    const string R1Table = "the R1-Distill vs Qwen2.5 table (shared/anchors/r1_distill_vs_qwen25.csv; README \"Public-model tables\")";
    const string Busbridge = "Busbridge et al. 2025, \"Distillation Scaling Laws\"";

    static readonly Estimand[] Preference = [Estimand.Frontier, Estimand.SameSize, Estimand.EffectiveData];

    /// <summary>Every claim for every treatment of <paramref name="rows"/> (placebo excluded), in a fixed order.</summary>
    public static IReadOnlyList<ClaimRow> Of(IReadOnlyList<MultiplierRow> rows, IReadOnlyList<string> treatments, string headlineMetric)
    {
        var claims = new List<ClaimRow>();
        var metric = headlineMetric;
        foreach (var t in treatments.Where(t => t != MultiplierEstimator.PlaceboGroup))
        {
            claims.Add(SeveralFold_(rows, t, metric, "student"));
            claims.Add(SeveralFold_(rows, t, metric, "+teacher"));
            claims.Add(DiffersByBenchmark(rows, t));
            claims.Add(ShrinksWithSize(rows, t, metric));
            claims.AddRange(KnowledgeRecall(rows, t, metric));
            claims.Add(AmortisedTeacher(rows, t, metric));
        }
        claims.Add(LogitVsSeqKd(rows, treatments, metric));
        return claims;
    }

    // ---- the estimate's scale: critical values of the row's interval (MultiplierInterval, SlopeInterval) ----

    static (double Crit, double Power) Critical(MultiplierRow r) => r.Interval == Replicates.ClusterSeedT && r.Seeds >= 2
        ? (StudentT.InvCDF(0, 1, r.Seeds - 1, 0.975), StudentT.InvCDF(0, 1, r.Seeds - 1, 0.80))
        : (Normal.InvCDF(0, 1, 0.975), Normal.InvCDF(0, 1, 0.80));

    /// <summary>Standard error of ln M, recovered from the row's interval (ln M ± crit·se).</summary>
    static double? SeLn(MultiplierRow r) => r.MCi95Low is { } lo && lo > 0 && r.MCi95High is { } hi && hi > 0 ? (Math.Log(hi) - Math.Log(lo)) / (2 * Critical(r).Crit) : null;

    static readonly double Z975 = Normal.InvCDF(0, 1, 0.975), Z80 = Normal.InvCDF(0, 1, 0.80);

    static string F(double? v) => v is not { } x ? "–" : double.IsPositiveInfinity(x) ? "∞"
        : x.ToString(Math.Abs(x) >= 1000 || (x != 0 && Math.Abs(x) < 0.01) ? "0.##e0" : "0.###", CultureInfo.InvariantCulture);

    /// <summary>The student summary of the preferred estimand with a value (frontier, then same_size, then effective_data).</summary>
    static MultiplierRow? Best(IReadOnlyList<MultiplierRow> rows, string treatment, string metric, string accounting) =>
        Preference.Select(e => rows.FirstOrDefault(r => r.Kind == MultiplierKind.Summary && r.Treatment == treatment && r.Metric == metric && r.Accounting == accounting && r.Estimand == e && r.M is > 0))
                  .FirstOrDefault(r => r is not null);

    static PlaceboVerdict Placebo(IReadOnlyList<MultiplierRow> rows, string metric, Estimand estimand)
    {
        var p = rows.FirstOrDefault(r => r.Kind == MultiplierKind.Placebo && r.Metric == metric && r.Estimand == estimand);
        return p is { MCi95Low: { } lo, MCi95High: { } hi } && (lo > 1 || hi < 1) ? new PlaceboVerdict(true, $"the placebo of {metric} {estimand.OnDisk()} excludes 1 ({F(p.M)} [{F(lo)}, {F(hi)}])") : new PlaceboVerdict(false, "");
    }

    readonly record struct PlaceboVerdict(bool Fails, string Text);

    /// <summary>
    /// Interval [lo, hi] against a threshold: supported when lo &gt; <paramref name="above"/>, contradicted when
    /// hi &lt; <paramref name="below"/>; a lower bound cannot contradict, an upper bound cannot support.
    /// </summary>
    static ClaimVerdict Decide(double? lo, double? hi, double above, double below, MultiplierBound bound = MultiplierBound.None)
    {
        if (lo is null || hi is null || bound == MultiplierBound.Mixed) return ClaimVerdict.CannotTell;
        if (lo > above && bound != MultiplierBound.Upper) return ClaimVerdict.Supported;
        if (hi < below && bound != MultiplierBound.Lower) return ClaimVerdict.Contradicted;
        return ClaimVerdict.CannotTell;
    }

    static ClaimRow Guard(ClaimRow c, PlaceboVerdict placebo) => placebo.Fails && c.Verdict is ClaimVerdict.Supported or ClaimVerdict.Contradicted
        ? c with { Verdict = ClaimVerdict.CannotTell, Note = Join(c.Note, $"{placebo.Text}: no verdict while the estimator finds effects where there are none") }
        : c;

    static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "; " + b;

    // ---- the claims ----

    static ClaimRow SeveralFold_(IReadOnlyList<MultiplierRow> rows, string treatment, string metric, string accounting)
    {
        var c = new ClaimRow
        {
            Claim = "several_fold", Statement = "distillation gives several-fold compute efficiency", Treatment = treatment, Metric = metric, Accounting = accounting,
            Quantity = "m", Threshold = SeveralFold, Source = Seeds,
            Rule = "M (frontier, else same_size, else effective_data): supported if its 95% CI lies above 3 (a lower bound counts), contradicted if below 3 (an upper bound counts), else cannot tell",
        };
        var r = Best(rows, treatment, metric, accounting);
        if (r is null)
            return c with { Note = rows.Any(x => x.Treatment == treatment && x.Metric == metric && x.Kind == MultiplierKind.Summary && x.Accounting == accounting)
                ? $"not measured: no estimand has a value for {metric} under {accounting} (see multipliers.csv notes)"
                : $"not measured: needs the {accounting} accounting scenario (estimate --accounting) and {metric} summaries" };
        c = c with
        {
            Estimand = r.Estimand.OnDisk(), Estimate = r.M, Ci95Low = r.MCi95Low, Ci95High = r.MCi95High, Mde = r.Mde,
            Verdict = Decide(r.MCi95Low, r.MCi95High, SeveralFold, SeveralFold, r.Bound),
            Note = r.Bound != MultiplierBound.None ? $"the estimate is a {r.Bound.OnDisk()} bound (censored pairs)" : "",
        };
        if (r.MCi95Low is null) c = c with { Note = Join(c.Note, "no interval (no replicates, or more than half failed)") };
        return Guard(c, Placebo(rows, metric, r.Estimand));
    }

    /// <summary>
    /// Heterogeneity of ln M across benchmark tasks (their task_loss, student accounting): Cochran's Q = Σ w_i (y_i − ȳ_w)²
    /// with y_i = ln M_i, w_i = 1/se_i² (se from each row's seed-cluster interval), p from χ²(k − 1) (Cochran 1954, "The
    /// combination of estimates from different experiments"); I² = (Q − df)/Q with the test-based interval of
    /// H = √(Q/df) of Higgins &amp; Thompson 2002 ("Quantifying heterogeneity in a meta-analysis").
    /// </summary>
    static ClaimRow DiffersByBenchmark(IReadOnlyList<MultiplierRow> rows, string treatment)
    {
        var c = new ClaimRow
        {
            Claim = "differs_by_benchmark", Statement = "the gains differ wildly by benchmark", Treatment = treatment, Metric = "*/" + ResultsFolderLoader.TaskLoss,
            Accounting = "student", Quantity = "i2", Threshold = WildSpread, Source = R1Table,
            Rule = "Cochran's Q over tasks of ln M (task_loss, w = 1/se^2): supported if p < 0.05 and max M / min M >= 2; " +
                   "contradicted if p >= 0.05 and the MDE of a two-task ratio, exp((z_.975 + z_.80)·sqrt(2)·median se), is below 2; else cannot tell",
        };
        var tasks = new List<(MultiplierRow Row, double Y, double Se)>();
        foreach (var g in rows.Where(r => r.Kind == MultiplierKind.Summary && r.Treatment == treatment && r.Accounting == "student" &&
                                          r.Metric.EndsWith("/" + ResultsFolderLoader.TaskLoss, StringComparison.Ordinal)).GroupBy(r => r.Metric).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var r = Preference.Select(e => g.FirstOrDefault(x => x.Estimand == e && x.M is > 0 && x.Bound == MultiplierBound.None && SeLn(x) is > 0)).FirstOrDefault(x => x is not null);
            if (r is not null) tasks.Add((r, Math.Log(r.M!.Value), SeLn(r)!.Value));
        }
        if (tasks.Count < 2)
            return c with { Note = $"not measured: needs 2 or more benchmark tasks with a task_loss multiplier and an interval ({tasks.Count} here; evaluation.tasks, 3 or more seeds)" };
        var w = tasks.Select(x => 1 / (x.Se * x.Se)).ToArray();
        var mean = tasks.Select((x, i) => w[i] * x.Y).Sum() / w.Sum();
        var q = tasks.Select((x, i) => w[i] * (x.Y - mean) * (x.Y - mean)).Sum();
        var df = tasks.Count - 1;
        var p = 1 - ChiSquared.CDF(df, q);
        var i2 = q > 0 ? Math.Max(0, (q - df) / q) : 0;
        var (lo, hi) = I2Interval(q, df);
        var spread = Math.Exp(tasks.Max(x => x.Y) - tasks.Min(x => x.Y));
        var seMedian = tasks.Select(x => x.Se).Order().ElementAt(tasks.Count / 2);
        var mdeRatio = Math.Exp((Z975 + Z80) * Math.Sqrt(2) * seMedian);
        var verdict = p < 0.05 && spread >= WildSpread ? ClaimVerdict.Supported
            : p >= 0.05 && mdeRatio < WildSpread ? ClaimVerdict.Contradicted : ClaimVerdict.CannotTell;
        c = c with
        {
            Estimand = string.Join("/", tasks.Select(x => x.Row.Estimand.OnDisk()).Distinct()), Estimate = i2, Ci95Low = lo, Ci95High = hi, Mde = mdeRatio, Verdict = verdict,
            Note =
                $"{tasks.Count} tasks: {string.Join(", ", tasks.Select(x => $"{x.Row.Metric.Split('/')[0]} {F(x.Row.M)}"))}; max/min {F(spread)}; Q = {F(q)} on {df} df, p = {F(p)}; " +
                "tasks share runs and seeds, so their ln M correlate positively and Q treated as independent is conservative; mde is the smallest two-task ratio detected",
        };
        var broken = tasks.Select(x => Placebo(rows, x.Row.Metric, x.Row.Estimand)).FirstOrDefault(x => x.Fails);
        return Guard(c, broken);
    }

    /// <summary>95% interval of I² from the test-based interval of ln H (Higgins &amp; Thompson 2002, eq. 8–9), clipped at 0.</summary>
    internal static (double? Low, double? High) I2Interval(double q, int df)
    {
        if (df < 1 || q <= 0) return (null, null);
        double seLnH;
        if (q > df + 1) seLnH = 0.5 * (Math.Log(q) - Math.Log(df)) / (Math.Sqrt(2 * q) - Math.Sqrt(2 * df - 1));
        else if (df >= 2) seLnH = Math.Sqrt(1.0 / (2 * (df - 1)) * (1 - 1.0 / (3.0 * (df - 1) * (df - 1))));
        else return (null, null);
        var lnH = 0.5 * Math.Log(q / df);
        double I2(double h) => Math.Max(0, (h * h - 1) / (h * h));
        return (I2(Math.Exp(lnH - Z975 * seLnH)), I2(Math.Exp(lnH + Z975 * seLnH)));
    }

    static ClaimRow ShrinksWithSize(IReadOnlyList<MultiplierRow> rows, string treatment, string metric)
    {
        var sizes = rows.Where(r => r.Kind == MultiplierKind.ByStudent && r.Treatment == treatment && r.Metric == metric && r.Params is > 0).Select(r => r.Params!.Value).Distinct().ToList();
        var bMin = sizes.Count >= 2 ? Math.Log(SizeTrendFactor) / Math.Log(sizes.Max() / sizes.Min()) : double.NaN;
        var c = new ClaimRow
        {
            Claim = "shrinks_with_size", Statement = "the gains shrink as the student shrinks", Treatment = treatment, Metric = metric, Estimand = Estimand.EffectiveData.OnDisk(),
            Accounting = "student", Quantity = "slope_ln_n", Threshold = double.IsFinite(bMin) ? bMin : null, Source = R1Table,
            Rule = "b_N = d ln M / d ln N: supported if its 95% CI lies above 0; contradicted if it lies below b_min = ln 1.25 / ln(N_max / N_min) " +
                   "(M changes by less than 1.25x across the run's sizes, or grows as the student shrinks); else cannot tell",
        };
        var r = rows.FirstOrDefault(x => x.Kind == MultiplierKind.Slope && x.Treatment == treatment && x.Metric == metric && x.Accounting == "student" && x.Quantity == "slope_ln_n");
        if (r is null || r.Value is null)
            return c with { Note = "not measured: needs a size slope (3 or more student sizes in both arms; README \"Size and budget slopes\")" };
        double? mde = r.ValueCi95Low is { } l && r.ValueCi95High is { } h ? (h - l) / (2 * Critical(r).Crit) * (Critical(r).Crit + Critical(r).Power) : null;
        c = c with
        {
            Estimate = r.Value, Ci95Low = r.ValueCi95Low, Ci95High = r.ValueCi95High, Mde = mde,
            Verdict = double.IsFinite(bMin) ? Decide(r.ValueCi95Low, r.ValueCi95High, 0, bMin) : ClaimVerdict.CannotTell,
            Note = $"p (b = 0) = {F(r.ValueP)}; M changes by e^(b·ln(N_max/N_min)) = {F(double.IsFinite(bMin) ? Math.Exp(r.Value.Value * Math.Log(SizeTrendFactor) / bMin) : null)}x across the sizes",
        };
        var placebo = rows.FirstOrDefault(x => x.Kind == MultiplierKind.Slope && x.Treatment == MultiplierEstimator.PlaceboGroup && x.Metric == metric && x.Quantity == "slope_ln_n");
        var fails = placebo is { ValueCi95Low: { } plo, ValueCi95High: { } phi } && (plo > 0 || phi < 0);
        return Guard(c, new PlaceboVerdict(fails, fails ? $"the placebo's size slope excludes 0 ({F(placebo!.Value)} [{F(placebo.ValueCi95Low)}, {F(placebo.ValueCi95High)}])" : ""));
    }

    /// <summary>Per size: R = M_knowledge / M_loss (same_size by_student rows, student accounting), se(ln R) = √(se_k² + se_l²).</summary>
    static IEnumerable<ClaimRow> KnowledgeRecall(IReadOnlyList<MultiplierRow> rows, string treatment, string metric)
    {
        var knowledge = KnowledgeTask + "/" + ResultsFolderLoader.TaskLoss;
        var c = new ClaimRow
        {
            Claim = "knowledge_recall", Statement = "small distilled models lose knowledge recall", Treatment = treatment, Metric = $"{knowledge} vs {metric}",
            Estimand = Estimand.SameSize.OnDisk(), Accounting = "student", Quantity = "m_ratio_knowledge_loss", Threshold = 1, Source = R1Table,
            Rule = "per size, R = M(knowledge task_loss) / M(loss), se(ln R) = sqrt(se_k^2 + se_l^2): supported if R's 95% CI lies below 1; " +
                   "contradicted if it lies above 1/1.25 (knowledge keeps at least 80% of the loss gain); else cannot tell",
        };
        ByStudent(rows, treatment, knowledge, out var k);
        ByStudent(rows, treatment, metric, out var l);
        if (k.Count == 0 || l.Count == 0)
        {
            yield return c with { Note = k.Count == 0 ? $"not measured: needs the {KnowledgeTask} task (evaluation.tasks) with a same_size multiplier per size on {knowledge}" : $"not measured: no same_size per-size rows on {metric}" };
            yield break;
        }
        foreach (var kr in k.OrderBy(r => r.Params ?? 0))
        {
            var lr = l.FirstOrDefault(r => r.Student == kr.Student);
            if (lr is null) continue;
            var row = c with { Student = kr.Student };
            if (kr.Bound != MultiplierBound.None || lr.Bound != MultiplierBound.None || SeLn(kr) is not { } sk || SeLn(lr) is not { } sl)
            {
                yield return row with
                {
                    Estimate = kr.M / lr.M, Verdict = ClaimVerdict.CannotTell,
                    Note = $"M(knowledge) {F(kr.M)}, M(loss) {F(lr.M)}: " + (kr.Bound != MultiplierBound.None || lr.Bound != MultiplierBound.None ? "a bound (censored pairs), so the ratio is not a value" : "no interval"),
                };
                continue;
            }
            var ln = Math.Log(kr.M!.Value / lr.M!.Value);
            var se = Math.Sqrt(sk * sk + sl * sl);
            var (lo, hi) = (Math.Exp(ln - Z975 * se), Math.Exp(ln + Z975 * se));
            var verdict = hi < 1 ? ClaimVerdict.Supported : lo > 1 / KnowledgeLossFactor ? ClaimVerdict.Contradicted : ClaimVerdict.CannotTell;
            var placebo = new[] { Placebo(rows, knowledge, Estimand.SameSize), Placebo(rows, metric, Estimand.SameSize) }.FirstOrDefault(x => x.Fails);
            yield return Guard(row with
            {
                Estimate = Math.Exp(ln), Ci95Low = lo, Ci95High = hi, Mde = Math.Exp((Z975 + Z80) * se), Verdict = verdict,
                Note = $"M(knowledge) {F(kr.M)} [{F(kr.MCi95Low)}, {F(kr.MCi95High)}], M(loss) {F(lr.M)} [{F(lr.MCi95Low)}, {F(lr.MCi95High)}]; " +
                       "the two are measured on the same runs, so the independent-se interval of R is conservative",
            }, placebo);
        }
    }

    static void ByStudent(IReadOnlyList<MultiplierRow> rows, string treatment, string metric, out List<MultiplierRow> found) =>
        found = rows.Where(r => r.Kind == MultiplierKind.ByStudent && r.Estimand == Estimand.SameSize && r.Treatment == treatment && r.Metric == metric && r.Accounting == "student" && r.M is > 0).ToList();

    /// <summary>
    /// Busbridge et al. 2025: distillation pays only when the teacher is amortised.  With the teacher charged in full
    /// (+teacher) M &lt; 1, and with it shared over infinitely many students (amortised:∞ = +inference) M &gt; 1.  The
    /// estimate is the payoff K* of the largest student (README "Crossover").
    /// </summary>
    static ClaimRow AmortisedTeacher(IReadOnlyList<MultiplierRow> rows, string treatment, string metric)
    {
        var c = new ClaimRow
        {
            Claim = "amortised_teacher", Statement = "distillation pays only when the teacher is amortised", Treatment = treatment, Metric = metric,
            Estimand = Estimand.EffectiveData.OnDisk(), Accounting = "amortised", Quantity = "payoff_students", Threshold = 1, Source = Busbridge,
            Rule = "M under +teacher (teacher charged in full) and +inference (amortised over K -> infinity): supported if +teacher's 95% CI lies below 1 and +inference's above 1; " +
                   "contradicted if +teacher's lies above 1 (pays without amortising) or +inference's below 1 (never pays); else cannot tell. Estimate: K* of the largest student",
        };
        var full = Best(rows, treatment, metric, "+teacher");
        var shared = Best(rows, treatment, metric, "+inference");
        if (full is null || shared is null)
            return c with { Note = "not measured: needs the +teacher and +inference accounting scenarios with values (a treatment with a teacher; estimate --accounting)" };
        var verdict = full.MCi95High < 1 && full.Bound != MultiplierBound.Lower && shared.MCi95Low > 1 && shared.Bound != MultiplierBound.Upper ? ClaimVerdict.Supported
            : (full.MCi95Low > 1 && full.Bound != MultiplierBound.Upper) || (shared.MCi95High < 1 && shared.Bound != MultiplierBound.Lower) ? ClaimVerdict.Contradicted
            : ClaimVerdict.CannotTell;
        var payoff = rows.Where(r => r.Kind == MultiplierKind.Crossover && r.Treatment == treatment && r.Metric == metric && r.Quantity == "payoff_students").OrderBy(r => r.Params ?? 0).ToList();
        var top = payoff.LastOrDefault();
        c = c with
        {
            Student = top?.Student ?? "*", Estimate = top?.Value, Ci95Low = top?.ValueCi95Low, Ci95High = top?.ValueCi95High, Mde = full.Mde, Verdict = verdict,
            Note = $"M +teacher ({full.Estimand.OnDisk()}) {F(full.M)} [{F(full.MCi95Low)}, {F(full.MCi95High)}], +inference {F(shared.M)} [{F(shared.MCi95Low)}, {F(shared.MCi95High)}]; " +
                   (payoff.Count > 0 ? "K* per size: " + string.Join(", ", payoff.Select(p => $"{p.Student} {F(p.Value)}")) : "no payoff rows (needs the trend law's budget term)") +
                   "; mde is that of M under +teacher",
        };
        return Guard(c, Placebo(rows, metric, full.Estimand));
    }

    /// <summary>R = M_logit-kd / M_seq-kd on the same metric, estimand and student accounting; se(ln R) = √(se_a² + se_b²).</summary>
    static ClaimRow LogitVsSeqKd(IReadOnlyList<MultiplierRow> rows, IReadOnlyList<string> treatments, string metric)
    {
        var c = new ClaimRow
        {
            Claim = "logit_vs_seq_kd", Statement = "logit KD is more compute-efficient than sequence-level KD", Treatment = $"{LogitKd}/{SeqKd}", Metric = metric,
            Accounting = "student", Quantity = "m_ratio_logit_seq", Threshold = 1, Source = "Hinton et al. 2015 (logit KD) against Kim & Rush 2016 (sequence-level KD); the seeds' R1-Distill story is sequence-level",
            Rule = "R = M(logit-kd) / M(seq-kd), se(ln R) = sqrt(se_a^2 + se_b^2): supported if R's 95% CI lies above 1, contradicted if below 1, else cannot tell",
        };
        if (!treatments.Contains(LogitKd) || !treatments.Contains(SeqKd))
            return c with { Note = $"not measured: needs both {LogitKd} and {SeqKd} in methods (e.g. experiments/claims.json)" };
        var a = Best(rows, LogitKd, metric, "student");
        var b = a is null ? null : rows.FirstOrDefault(r => r.Kind == MultiplierKind.Summary && r.Treatment == SeqKd && r.Metric == metric && r.Accounting == "student" && r.Estimand == a.Estimand && r.M is > 0);
        if (a is null || b is null) return c with { Note = $"not measured: no common estimand with a value for both methods on {metric}" };
        c = c with { Estimand = a.Estimand.OnDisk(), Estimate = a.M / b.M };
        if (a.Bound != MultiplierBound.None || b.Bound != MultiplierBound.None || SeLn(a) is not { } sa || SeLn(b) is not { } sb)
            return c with { Verdict = ClaimVerdict.CannotTell, Note = $"M(logit-kd) {F(a.M)}, M(seq-kd) {F(b.M)}: a bound or no interval" };
        var ln = Math.Log(a.M!.Value / b.M!.Value);
        var se = Math.Sqrt(sa * sa + sb * sb);
        var (lo, hi) = (Math.Exp(ln - Z975 * se), Math.Exp(ln + Z975 * se));
        return Guard(c with
        {
            Ci95Low = lo, Ci95High = hi, Mde = Math.Exp((Z975 + Z80) * se), Verdict = Decide(lo, hi, 1, 1),
            Note = $"M(logit-kd) {F(a.M)} [{F(a.MCi95Low)}, {F(a.MCi95High)}], M(seq-kd) {F(b.M)} [{F(b.MCi95Low)}, {F(b.MCi95High)}]; both share the scratch arm, so the independent-se interval is conservative",
        }, Placebo(rows, metric, a.Estimand));
    }
}
