using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// Synthetic results folders with a planted truth, shaped like the quickstart grid (issue 12's tests and
/// <c>harness calibrate</c>): the four quickstart sizes with their real non-embedding parameters and training FLOPs per
/// token (Modeling's ModelMath at vocabulary 1024, context 128; a test checks the table against it), three budgets (150k, 300k, 600k tokens), scratch and
/// logit-kd sharing seeds.  Scratch loss L(N, D) = E + A/N^α + B/D^β; the treatment's is L(N, g_N·D) (an effective-data
/// multiplier g, Ho et al. 2024), plus a seed×size effect shared by both arms of a seed and independent per-run noise.
/// </summary>
public sealed record SyntheticGrid
{
    public ChinchillaLaw Law { get; init; } = new(1.8, 41, 54, 0.35, 0.3);
    /// <summary>Effective-data multiplier of the treatment, per size (missing sizes: <see cref="Gain"/>).</summary>
    public IReadOnlyDictionary<string, double> GainBySize { get; init; } = new Dictionary<string, double>();
    public double Gain { get; init; } = 1;
    /// <summary>
    /// Planted size trend b = d ln g / d ln N (issue 23): a size without a <see cref="GainBySize"/> entry gets
    /// g = <see cref="Gain"/>·exp(b·(ln N − mean ln N over <see cref="Students"/>)); 0 (the default) keeps g = <see cref="Gain"/>.
    /// </summary>
    public double GainSlope { get; init; }
    /// <summary>Planted budget trend d ln g / d ln D (issue 23): g·exp(b_D·(ln D − mean ln D over <see cref="Budgets"/>)); 0 keeps g constant in D.</summary>
    public double BudgetSlope { get; init; }

    /// <summary>The planted gain of <paramref name="student"/> at <paramref name="tokens"/> (its finished run's budget).</summary>
    public double GainOf(string student, double tokens) =>
        BudgetSlope == 0 ? GainOf(student) : GainOf(student) * Math.Exp(BudgetSlope * (Math.Log(tokens) - Budgets.Average(b => Math.Log(b))));
    public int Seeds { get; init; } = 3;
    /// <summary>Standard deviation (nats) of the seed×size effect shared by both arms.</summary>
    public double SeedEffect { get; init; } = 0.02;
    /// <summary>Standard deviation (nats) of each run's own noise.</summary>
    public double RunNoise { get; init; } = 0.01;
    /// <summary>Intermediate checkpoints per run (at 1/4, 2/4, 3/4 of its tokens), shifted by ±<see cref="CheckpointShift"/>.</summary>
    public int Checkpoints { get; init; } = 3;
    public double CheckpointShift { get; init; }
    /// <summary>The students: name, non-embedding parameters N and training FLOPs per token.</summary>
    public IReadOnlyList<GridStudent> Students { get; init; } = QuickstartStudents;
    public IReadOnlyList<long> Budgets { get; init; } = [153_600, 307_200, 614_400];
    /// <summary>Teacher forward FLOPs per training token charged to the treatment (+inference) and its pre-training (+teacher).</summary>
    public double TeacherFlopsPerToken { get; init; } = 2e7;
    public double TeacherPretrain { get; init; } = 1e15;
    /// <summary>When set, a benchmark "synth" with task_loss on <see cref="TaskLaw"/> (same gains) and a near-chance 4-way accuracy.</summary>
    public bool Benchmark { get; init; }
    public ChinchillaLaw TaskLaw { get; init; } = new(0.9, 2.0, 2.6, 0.3, 0.3);
    public int BenchmarkItems { get; init; } = 100;

    public const int Vocab = 1024;
    public const int Context = 128;

    /// <summary>The quickstart presets pico, nano, micro, mini at <see cref="Vocab"/> and <see cref="Context"/>.
    /// Estimation does not depend on Modeling, so the numbers are listed here and a test recomputes them with ModelMath.</summary>
    public static IReadOnlyList<GridStudent> QuickstartStudents { get; } =
    [
        new("pico", 12_768, 322_368),
        new("nano", 56_640, 782_208),
        new("micro", 100_096, 1_190_400),
        new("mini", 335_712, 3_046_464),
    ];

    public double GainOf(string student)
    {
        if (GainBySize.TryGetValue(student, out var g)) return g;
        if (GainSlope == 0) return Gain;
        var center = Students.Average(s => Math.Log(s.Params));
        return Gain * Math.Exp(GainSlope * (Math.Log(Students.Single(s => s.Name == student).Params) - center));
    }

    static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Writes runs.csv, curves.csv (and evals.csv with <see cref="Benchmark"/>) into <paramref name="dir"/>.</summary>
    public void Write(string dir, int dataSeed)
    {
        var rng = new Random(dataSeed);
        var runs = new List<RunRow>();
        var curves = new List<CurveRow>();
        var evals = new List<EvalRow>();
        foreach (var (student, n, c) in Students)
        {
            for (var seed = 1; seed <= Seeds; seed++)
            {
                var shared = SeedEffect * Normal(rng);
                var sharedTask = SeedEffect * Normal(rng);
                foreach (var budget in Budgets)
                    foreach (var method in new[] { ResultSchema.ScratchMethod, "logit-kd" })
                    {
                        var g = method == ResultSchema.ScratchMethod ? 1 : GainOf(student, budget);
                        var key = $"{method}-{student}-{budget}-{seed}";
                        var extra = method == ResultSchema.ScratchMethod ? 0 : TeacherFlopsPerToken;
                        var pretrain = method == ResultSchema.ScratchMethod ? 0 : TeacherPretrain;
                        var steps = Checkpoints + 1;
                        for (var k = 1; k <= steps; k++)
                        {
                            var tokens = budget * k / steps;
                            var final = k == steps;
                            var loss = Law.Predict(n, g * tokens) + shared + RunNoise * Normal(rng) + (final ? 0 : CheckpointShift * (rng.Next(2) == 0 ? -1 : 1));
                            var row = new CurveRow
                            {
                                UnitKey = key, Method = method, Student = student, Seed = seed, ParamsNonEmbedding = n, Step = k * 10, Tokens = tokens,
                                FlopsStudentTrain = c * tokens, FlopsTeacherInference = extra * tokens, FlopsTeacherPretrain = pretrain,
                                ValLoss = loss, ValBitsPerByte = loss / Math.Log(2) / 3.5, IsFinal = final,
                            };
                            curves.Add(row);
                            if (final)
                                runs.Add(new RunRow
                                {
                                    UnitKey = key, Method = method, Student = student, Budget = budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
                                    Seed = seed, ParamsNonEmbedding = n, Tokens = tokens, FlopsStudentTrain = row.FlopsStudentTrain,
                                    FlopsTeacherInference = row.FlopsTeacherInference, FlopsTeacherPretrain = pretrain, ValLoss = loss,
                                    ValBitsPerByte = row.ValBitsPerByte, Status = RunRowStatus.Ok,
                                });
                            if (Benchmark && final)
                            {
                                var taskLoss = TaskLaw.Predict(n, g * tokens) + sharedTask + RunNoise * Normal(rng);
                                var hits = 0;
                                for (var i = 0; i < BenchmarkItems; i++) if (rng.NextDouble() < 0.25 + 0.01 * (g - 1)) hits++;
                                var acc = hits / (double)BenchmarkItems;
                                evals.Add(new EvalRow { UnitKey = key, Method = method, Step = k * 10, Tokens = tokens, IsFinal = true, Task = "synth", TaskVersion = 1,
                                    Metric = "acc", Value = acc, StdErr = Math.Sqrt(acc * (1 - acc) / BenchmarkItems), Items = BenchmarkItems, Chance = 0.25, HigherIsBetter = true });
                                evals.Add(new EvalRow { UnitKey = key, Method = method, Step = k * 10, Tokens = tokens, IsFinal = true, Task = "synth", TaskVersion = 1,
                                    Metric = "task_loss", Value = taskLoss, StdErr = 0.01, Items = BenchmarkItems, Chance = Math.Log(4), HigherIsBetter = false });
                            }
                        }
                    }
            }
        }
        ResultTables.WriteAll(Path.Combine(dir, ResultSchema.RunsFile), runs);
        ResultTables.WriteAll(Path.Combine(dir, ResultSchema.CurvesFile), curves);
        if (Benchmark) ResultTables.WriteAll(Path.Combine(dir, ResultSchema.EvalsFile), evals);
    }

    /// <summary>
    /// The planted same-size gain of a cell in compute under student accounting: g (the scratch run of that size needs g×
    /// the tokens), which is also estimand (c)'s e^τ and, when g is the same for every size, (a)'s M_F(y) for every y.
    /// </summary>
    public double PlantedSameSize(string student) => GainOf(student);

    /// <summary>
    /// Smallest gap (nats) between a scratch grid cell's expected loss and the unconstrained compute frontier
    /// min over N ∈ [N_min/30, 30·N_max] of L(N, C / c(N)), c(N) interpolated (extrapolated) log-linearly in N.
    /// </summary>
    public double MinimumGapToFrontier()
    {
        var sizes = Students.Select(s => (s.Params, s.FlopsPerToken)).OrderBy(s => s.Params).ToArray();
        double Cost(double n)
        {
            int i = n <= sizes[0].Params ? 0 : n >= sizes[^1].Params ? sizes.Length - 2 : Array.FindLastIndex(sizes, s => s.Params <= n);
            i = Math.Clamp(i, 0, sizes.Length - 2);
            var t = (Math.Log(n) - Math.Log(sizes[i].Params)) / (Math.Log(sizes[i + 1].Params) - Math.Log(sizes[i].Params));
            return Math.Exp(Math.Log(sizes[i].FlopsPerToken) + t * (Math.Log(sizes[i + 1].FlopsPerToken) - Math.Log(sizes[i].FlopsPerToken)));
        }
        var min = double.PositiveInfinity;
        foreach (var (n, c) in sizes)
            foreach (var d in Budgets)
            {
                var compute = c * d;
                var best = double.PositiveInfinity;
                for (var x = Math.Log(sizes[0].Params / 30.0); x <= Math.Log(sizes[^1].Params * 30.0); x += 0.02)
                {
                    var m = Math.Exp(x);
                    best = Math.Min(best, Law.Predict(m, compute / Cost(m)));
                }
                min = Math.Min(min, Law.Predict(n, d) - best);
            }
        return min;
    }
}

/// <summary>One student of a <see cref="SyntheticGrid"/>: its name, non-embedding parameters and training FLOPs per token.</summary>
public sealed record GridStudent(string Name, long Params, double FlopsPerToken);
