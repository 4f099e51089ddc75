using Harness.Config;
using Harness.Evaluation;
using Harness.Evaluation.Tasks;

namespace Harness.Tests.Evaluation;

public class EvaluationPointTests
{
    static readonly EvaluationSpec Spec = new() { CurveSubset = 7, MaxItems = 3 };

    [Fact]
    public void A_curve_point_scores_the_curve_subset_and_marks_its_rows()
    {
        var point = EvaluationPoint.Curve(40, 1234);
        Assert.Equal(7, point.MaxItems(Spec));
        Assert.True(point.IsCurveSubset);
        Assert.False(point.IsFinal);
        // No curve subset configured: the sweep never asks for a curve point, and the rule refuses one.
        Assert.Throws<InvalidOperationException>(() => point.MaxItems(new EvaluationSpec()));
    }

    [Fact]
    public void A_final_point_scores_max_items_and_a_cap_there_is_not_the_curve_subset()
    {
        var point = EvaluationPoint.Final(30, 3840);
        Assert.Equal(3, point.MaxItems(Spec));
        Assert.Null(point.MaxItems(Spec with { MaxItems = 0 }));   // 0 = every item
        Assert.False(point.IsCurveSubset);
        Assert.True(point.IsFinal);
    }

    [Theory]
    [InlineData(EvaluationPointKind.Curve, 7, true)]
    [InlineData(EvaluationPointKind.Final, 3, false)]
    public void Runner_rows_follow_the_rule(EvaluationPointKind kind, int items, bool subset)
    {
        var rows = EvaluationRunner.Run(new UniformScorer(256), [new ArithmeticTask(1)], "u", "scratch", new EvaluationPoint(kind, 10, 99), Spec);
        Assert.All(rows.Where(r => r.Metric == "acc"), r => Assert.Equal(items, r.Items));
        Assert.All(rows, r => Assert.Equal((subset, kind == EvaluationPointKind.Final, 10, 99L), (r.Subset, r.IsFinal, r.Step, r.Tokens)));
    }

    [Fact]
    public void No_benchmark_evaluator_when_tasks_is_none()
    {
        Assert.Null(BenchmarkEvaluator.Factory(new EvaluationSpec { Tasks = "none" }));
        Assert.NotNull(BenchmarkEvaluator.Factory(new EvaluationSpec { Tasks = "grammar" }));
    }
}
