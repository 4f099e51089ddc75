namespace Harness.Data.Mixes;

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
    public static (int Min, int Max) Range(int digits)
    {
        if (digits is < 1 or > 6) throw new UserInputException($"arithmetic digits: value {digits} must be between 1 and 6.");
        int min = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1);
        return (min, (int)Math.Pow(10, digits) - 1);
    }

    public static ArithmeticProblem Draw(StableRandom rng, int digits)
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
