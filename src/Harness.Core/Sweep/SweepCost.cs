using Harness.Config;
using Harness.Distillation.Methods;

namespace Harness.Sweep;

/// <summary>
/// Predicted compute of each unit, for the ETA and <c>--dry-run</c>: student training FLOPs plus teacher forward FLOPs.
/// Online logit KD runs the teacher on every training token.  With the teacher-logit cache, a unit pays the teacher only
/// for windows not cached yet; units run in ascending budget order, so that is approximated as the tokens beyond the
/// largest KD budget before it (windows are drawn at random, so the real overlap is partial: an upper bound on reuse).
/// </summary>
public static class SweepCost
{
    public static IReadOnlyDictionary<string, double> Flops(IReadOnlyList<SweepUnit> units, ExperimentConfig config, double teacherForwardPerToken)
    {
        long cachedTokens = 0;
        var result = new Dictionary<string, double>();
        foreach (var u in units)
        {
            double teacher = 0;
            var logitUse = u.TrainingMethod.LogitUse(config);
            if (logitUse != TeacherLogitUse.None)
            {
                bool cached = logitUse == TeacherLogitUse.Cached;
                // A WSD branch reads only its cooldown's windows (its trunk paid for the rest): OwnTokens, reaching EndTokens.
                long fresh = cached ? Math.Max(0, u.EndTokens - Math.Max(cachedTokens, u.EndTokens - u.OwnTokens)) : u.OwnTokens;
                if (cached) cachedTokens = Math.Max(cachedTokens, u.EndTokens);
                teacher = fresh * teacherForwardPerToken;
            }
            result[u.Key] = u.PredictedTrainFlops + teacher;
        }
        return result;
    }
}
