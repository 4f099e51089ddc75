namespace Harness.Evaluation;

/// <summary>One problem "a op b" with its answer; op is '+' or '-' (subtraction keeps a ≥ b, so answers are never negative).</summary>
public sealed record ArithmeticProblem(int A, char Op, int B)
{
    public int Answer => Op == '+' ? A + B : A - B;

    /// <summary>Prompt shared by training and evaluation: "Q: 347 + 128 = A:".  The answer follows after one space.</summary>
    public string Prompt => $"Q: {A} {Op} {B} = A:";

    /// <summary>
    /// Fixed split of the whole problem space: a problem is held out when a hash of (a, op, b) that depends on no seed
    /// falls in the lowest 1/<see cref="ArithmeticStream.HeldOutOneIn"/>.  Training streams draw only kept problems and the
    /// task only held-out ones, so they are disjoint by construction for every seed and count.
    /// </summary>
    public bool IsHeldOut => StableRandom.Mix(((ulong)(uint)A << 32) | (uint)B, Op) % ArithmeticStream.HeldOutOneIn == 0;
}

/// <summary>Worked examples of multi-digit addition and subtraction for the training mix (a "skill" stream).</summary>
public static class ArithmeticStream
{
    /// <summary>One problem in this many is held out for evaluation.</summary>
    public const int HeldOutOneIn = 8;

    /// <summary>Operands have exactly <paramref name="digits"/> digits (0–9 for one digit).</summary>
    internal static (int Min, int Max) Range(int digits)
    {
        if (digits is < 1 or > 6) throw new UserInputException($"arithmetic digits: value {digits} must be between 1 and 6.");
        int min = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1);
        return (min, (int)Math.Pow(10, digits) - 1);
    }

    internal static ArithmeticProblem Draw(StableRandom rng, int digits)
    {
        var (min, max) = Range(digits);
        int a = rng.Next(min, max + 1), b = rng.Next(min, max + 1);
        char op = rng.Next(2) == 0 ? '+' : '-';
        if (op == '-' && a < b) (a, b) = (b, a);
        return new ArithmeticProblem(a, op, b);
    }

    /// <summary>
    /// <paramref name="count"/> documents, each one worked example "Q: 347 + 128 = A: 475", drawn (with repetition, as
    /// a corpus would have) from the training side of the fixed split with <paramref name="digits"/>-digit operands.
    /// </summary>
    public static IReadOnlyList<string> TrainingDocuments(int seed, int count, int digits = 2)
    {
        Range(digits);
        var rng = new StableRandom(seed, $"arithmetic-train-{digits}");
        var docs = new string[count];
        for (int i = 0; i < count; i++)
        {
            ArithmeticProblem p;
            do p = Draw(rng, digits); while (p.IsHeldOut);
            docs[i] = $"{p.Prompt} {p.Answer}";
        }
        return docs;
    }
}

/// <summary>
/// Arithmetic on held-out problems.  exact_match: the answer " 475" is exactly the greedy continuation of
/// "Q: 347 + 128 = A:" (every answer token is the argmax; lm-eval's <c>is_greedy</c>, its metric for the GPT-3 arithmetic
/// tasks of Brown et al. 2020; version 3 — version 2 generated up to digits + 4 tokens and compared the first word, which
/// also demanded a stop after the answer and cost a forward pass per generated token).  acc / acc_norm: 4-way multiple choice between the answer and the answers of three other
/// problems of the same kind (version 2).  Version 1 used near misses (±1, ±2, ±10, ±100); at quickstart scale even the
/// teacher sat at chance on those, so the distractors now test whether a model has the answer's magnitude and digits
/// roughly right — a graded signal long before exact match moves.
/// </summary>
public sealed class ArithmeticTask : IEvaluationTask
{
    /// <summary>Items per task (fewer when the held-out space is smaller: 1 digit has 200 problems, ~25 held out).</summary>
    public const int DefaultItems = 500;

    /// <summary>Items are a fixed function of the digit count: this seed is part of the task's definition (version 1).</summary>
    const int ItemSeed = 20240601;

    readonly IReadOnlyList<(ArithmeticProblem Problem, MultipleChoiceItem Choice)> items;

    public ArithmeticTask(int digits = 2, int itemCount = DefaultItems)
    {
        Digits = digits;
        items = Build(digits, itemCount, ItemSeed);
    }

    public int Digits { get; }
    public string Name => $"arithmetic_{Digits}d";
    public int Version => 3;
    public IReadOnlyList<string> Metrics { get; } = ["exact_match", "acc", "acc_norm", "task_loss", "acc_add", "acc_sub"];
    public int ItemCount => items.Count;
    public IReadOnlyList<ArithmeticProblem> Problems => items.Select(i => i.Problem).ToArray();
    public IReadOnlyList<MultipleChoiceItem> Items => items.Select(i => i.Choice).ToArray();

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var subset = EvaluationMetrics.Subset(items, maxItems, Name);
        return EvaluationMetrics.ExactMatchAndMultipleChoiceScores(Name, Version, scorer, subset.Select(i => i.Choice).ToArray());
    }

    /// <summary>Distinct held-out problems, in draw order; for small spaces, all of them in a seeded order.</summary>
    internal static IReadOnlyList<(ArithmeticProblem, MultipleChoiceItem)> Build(int digits, int count, int seed)
    {
        var (min, max) = ArithmeticStream.Range(digits);
        var rng = new StableRandom(seed, $"arithmetic-eval-{digits}");
        var problems = new List<ArithmeticProblem>();
        long space = 2L * (max - min + 1) * (max - min + 1);
        if (space <= 200_000)
        {
            for (int a = min; a <= max; a++)
                for (int b = min; b <= max; b++)
                    foreach (var op in new[] { '+', '-' })
                        if (op == '+' || a >= b) problems.Add(new ArithmeticProblem(a, op, b));
            problems = problems.Where(p => p.IsHeldOut).ToList();
            rng.Shuffle(problems);
            problems = problems.Take(count).ToList();
        }
        else
        {
            var seen = new HashSet<ArithmeticProblem>();
            while (problems.Count < count)
            {
                var p = ArithmeticStream.Draw(rng, digits);
                if (p.IsHeldOut && seen.Add(p)) problems.Add(p);
            }
        }
        return problems.Select(p => (p, NearMisses(p, rng))).ToArray();
    }

    static MultipleChoiceItem NearMisses(ArithmeticProblem p, StableRandom rng)
    {
        int answer = p.Answer;
        int digits = p.A.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        var wrong = new List<int>();
        while (wrong.Count < 3)
        {
            // Another problem of the same operation and size: a plausible answer, but not a near miss.
            ArithmeticProblem other;
            do other = ArithmeticStream.Draw(rng, digits); while (other.Op != p.Op);
            int pick = other.Answer;
            if (Math.Abs(pick - answer) >= 3 && !wrong.Contains(pick)) wrong.Add(pick);
        }
        int gold = rng.Next(4);
        var choices = wrong.Select(w => " " + w.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        choices.Insert(gold, " " + answer.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new MultipleChoiceItem($"{p.A}{p.Op}{p.B}", p.Op == '+' ? "add" : "sub", p.Prompt, choices, gold);
    }

}
