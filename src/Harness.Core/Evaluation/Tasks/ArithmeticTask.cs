using Harness.Data;
using Harness.Data.Mixes;

namespace Harness.Evaluation.Tasks;

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
