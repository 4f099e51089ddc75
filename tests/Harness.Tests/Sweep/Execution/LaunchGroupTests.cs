using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Config;

namespace Harness.Tests.Sweep.Execution;

/// <summary>Executors launch one index per group, so a WSD branch never starts before its trunk.</summary>
public class LaunchGroupTests
{
    static readonly GptConfig Shape = new(64, 16, 1, 2, 16);

    // Plan order as SweepPlan.Expand lays it out: a trunk, then its branches; a cosine run is a group of its own.
    static readonly SweepUnit[] Units =
    [
        new("t1", 0, "s", Shape, "trunk", 100, "scratch", 1) { Role = UnitRole.Trunk, Group = 0 },
        new("b1", 1, "s", Shape, "50", 50, "scratch", 1) { Role = UnitRole.Branch, TrunkKey = "t1", Group = 0 },
        new("b2", 2, "s", Shape, "100", 100, "scratch", 1) { Role = UnitRole.Branch, TrunkKey = "t1", Group = 0 },
        new("c1", 3, "s", Shape, "100", 100, "logit-kd", 1) { Group = 1 },
        new("t2", 4, "s", Shape, "trunk", 100, "logit-kd", 2) { Role = UnitRole.Trunk, Group = 2 },
        new("b3", 5, "s", Shape, "50", 50, "logit-kd", 2) { Role = UnitRole.Branch, TrunkKey = "t2", Group = 2 },
    ];

    static IReadOnlyList<PlannedUnit> Plan() => Units.Select(u => new PlannedUnit(u.Index, u.Key, u.Method, u.Student, u.Budget, u.Seed, u.Tokens, 0, u.Group)).ToList();

    [Fact]
    public void Nothing_finished_launches_each_groups_first_unit_and_it_trains_the_rest_of_its_group()
    {
        Assert.Equal([0, 3, 4], RunPlan.LaunchIndices(Units, _ => false));
        Assert.Equal([0, 1, 2], RunPlan.RestOfGroup(Plan(), 0));
        Assert.Equal([3], RunPlan.RestOfGroup(Plan(), 3));
        Assert.Equal([4, 5], RunPlan.RestOfGroup(Plan(), 4));
    }

    [Fact]
    public void A_group_with_a_finished_trunk_starts_at_its_first_unfinished_branch_and_finished_groups_are_not_launched()
    {
        var done = new HashSet<string> { "t1", "b1", "c1", "t2", "b3" };
        Assert.Equal([2], RunPlan.LaunchIndices(Units, u => done.Contains(u.Key)));
        Assert.Equal([2], RunPlan.RestOfGroup(Plan(), 2));
        Assert.Empty(RunPlan.LaunchIndices(Units, _ => true));
    }

    [Fact]
    public void A_plan_written_before_groups_runs_the_one_unit()
    {
        var old = Plan().Select(u => u with { Group = -1 }).ToList();
        Assert.Equal([0], RunPlan.RestOfGroup(old, 0));
        Assert.Equal([7], RunPlan.RestOfGroup(null, 7));
    }
}
