using System.Globalization;
using Harness.Results;

namespace Harness.Estimation;

public enum AccountingKind { Student, Inference, Teacher, Amortised }

/// <summary>
/// Which compute a treatment is charged.  Busbridge et al. 2025 ("Distillation Scaling Laws") show that whether
/// distillation beats training from scratch flips with this choice, so reports show every scenario side by side:
/// <list type="bullet">
/// <item><c>student</c>: C = student training.</item>
/// <item><c>+inference</c>: C = student + teacher inference + cache-build share + synthetic generation.</item>
/// <item><c>+teacher</c>: C = +inference + teacher pre-training.</item>
/// <item><c>amortised:K</c>: C = +inference + teacher pre-training / K (one teacher serves K students).</item>
/// </list>
/// </summary>
public sealed record AccountingScenario(AccountingKind Kind, double Students = 1)
{
    public const double DefaultAmortisedStudents = 10;

    public static AccountingScenario Student { get; } = new(AccountingKind.Student);
    public static AccountingScenario PlusInference { get; } = new(AccountingKind.Inference);
    public static AccountingScenario PlusTeacher { get; } = new(AccountingKind.Teacher);
    public static AccountingScenario Amortised(double k) => new(AccountingKind.Amortised, k);

    /// <summary>The four scenarios every report shows: student, +inference, +teacher, amortised:K.</summary>
    public static IReadOnlyList<AccountingScenario> Defaults(double amortisedStudents = DefaultAmortisedStudents) =>
        [Student, PlusInference, PlusTeacher, Amortised(amortisedStudents)];

    public string Name => Kind switch
    {
        AccountingKind.Student => "student",
        AccountingKind.Inference => "+inference",
        AccountingKind.Teacher => "+teacher",
        _ => "amortised:" + Students.ToString("R", CultureInfo.InvariantCulture),
    };

    public override string ToString() => Name;

    public double Compute(FlopBreakdown f) => Kind switch
    {
        AccountingKind.Student => f.StudentTrain,
        AccountingKind.Inference => f.StudentTrain + f.InferenceExtras,
        AccountingKind.Teacher => f.StudentTrain + f.InferenceExtras + f.TeacherPretrain,
        _ => f.StudentTrain + f.InferenceExtras + f.TeacherPretrain / Students,
    };

    /// <summary>Parses <c>student</c>, <c>+inference</c>, <c>+teacher</c> or <c>amortised:K</c> (K &gt; 0).</summary>
    static readonly string[] DisplayOrder = ["student", "+inference", "+teacher"];

    /// <summary>Sort key for accounting names in tables and plots: student, +inference, +teacher, amortised:K, others.</summary>
    public static int Rank(string accounting)
    {
        var i = Array.IndexOf(DisplayOrder, accounting.Trim().ToLowerInvariant());
        return i >= 0 ? i : accounting.StartsWith("amortised", StringComparison.OrdinalIgnoreCase) ? 3 : 4;
    }

    public static AccountingScenario Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "student": return Student;
            case "+inference" or "inference": return PlusInference;
            case "+teacher" or "teacher": return PlusTeacher;
        }
        if (t.StartsWith("amortised:", StringComparison.Ordinal) || t.StartsWith("amortized:", StringComparison.Ordinal))
        {
            var k = t[(t.IndexOf(':') + 1)..];
            if (double.TryParse(k, NumberStyles.Float, CultureInfo.InvariantCulture, out var students) && students > 0 && double.IsFinite(students))
                return Amortised(students);
        }
        throw new UserInputException($"--accounting: value '{text}' is not a scenario; use student, +inference, +teacher or amortised:K with K > 0 " +
                                     "(the number of students one teacher's pre-training is divided over).");
    }

    /// <summary>
    /// The scenarios a report uses: student, +inference and +teacher always, plus the amortised ones requested
    /// (amortised:<see cref="DefaultAmortisedStudents"/> when none is), in that order, so all four kinds always appear.
    /// </summary>
    public static IReadOnlyList<AccountingScenario> Resolve(IEnumerable<string>? requested)
    {
        var parsed = (requested ?? []).SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                                      .Select(Parse).ToList();
        var amortised = parsed.Where(p => p.Kind == AccountingKind.Amortised).Distinct().ToList();
        if (amortised.Count == 0) amortised.Add(Amortised(DefaultAmortisedStudents));
        return [Student, PlusInference, PlusTeacher, .. amortised];
    }
}
