using Harness.Results;

namespace Harness.Tests.Estimation;

/// <summary>Builds synthetic sweep results folders with known truth.</summary>
internal static class Synthetic
{
    public sealed record Unit(string Method, string Student, string Budget, int Seed, long Params, long[] Tokens, double[] Loss, double[] StudentFlops,
                              double TeacherInference = 0, double TeacherPretrain = 0, string Status = "ok");

    public static void Write(string dir, IEnumerable<Unit> units)
    {
        var runs = new List<RunRow>();
        var curves = new List<CurveRow>();
        var n = 0;
        foreach (var u in units)
        {
            var key = $"{u.Method}-{u.Student}-{u.Budget}-{u.Seed}-{n++}";
            var last = u.Tokens.Length - 1;
            runs.Add(new RunRow
            {
                UnitKey = key, Method = u.Method, Student = u.Student, Budget = u.Budget, Seed = u.Seed, ParamsNonEmbedding = u.Params,
                Tokens = u.Tokens[last], FlopsStudentTrain = u.StudentFlops[last], FlopsTeacherInference = u.TeacherInference,
                FlopsTeacherPretrain = u.TeacherPretrain, ValLoss = u.Loss[last], ValBitsPerByte = u.Loss[last] / Math.Log(2) / 4, Status = u.Status,
            });
            for (var i = 0; i <= last; i++)
                curves.Add(new CurveRow
                {
                    UnitKey = key, Method = u.Method, Student = u.Student, Seed = u.Seed, ParamsNonEmbedding = u.Params, Step = (i + 1) * 100,
                    Tokens = u.Tokens[i], FlopsStudentTrain = u.StudentFlops[i],
                    FlopsTeacherInference = u.TeacherInference * (i + 1) / (last + 1), FlopsTeacherPretrain = u.TeacherPretrain,
                    ValLoss = u.Loss[i], ValBitsPerByte = u.Loss[i] / Math.Log(2) / 4, IsFinal = i == last,
                });
        }
        ResultTables.WriteAll(Path.Combine(dir, ResultSchema.RunsFile), runs);
        ResultTables.WriteAll(Path.Combine(dir, ResultSchema.CurvesFile), curves);
    }

    /// <summary>Gaussian noise by Box–Muller from a seeded generator.</summary>
    public static double Noise(Random rng, double sd) =>
        sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
