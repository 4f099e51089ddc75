using Harness.Tests.Results;

namespace Harness.Tests.Reporting;

/// <summary>
/// The report-layout fixture: a results folder the real pipeline writes (<see cref="PipelineFixture.Build"/>) for
/// <see cref="PipelineFixture.ConfigJson"/> with what a report page has to show on top: two benchmark tasks, four budgets and one seed
/// (so no placebo, and still enough runs per arm to fit) one failed unit (an internal error injected at a training step, no retries) and a git commit.  Built once per
/// test process and shared read-only; tests that edit files take a <see cref="Copy"/>.
/// </summary>
public static class ReportFixtures
{
    /// <summary>The benchmark tasks the report fixture scores.</summary>
    public const string Tasks = "arithmetic_1d,grammar";

    public static readonly string ConfigJson = PipelineFixture.ConfigJson
        .Replace("\"tasks\": \"arithmetic_1d\"", $"\"tasks\": \"{Tasks}\"")
        .Replace("{ \"name\": \"b2\", \"tokens\": 3840 } ]", "{ \"name\": \"b2\", \"tokens\": 3840 }, { \"name\": \"b3\", \"tokens\": 5760 }, { \"name\": \"b4\", \"tokens\": 7680 } ]")
        .Replace("\"seeds\": [1, 2],", "\"seeds\": [1], \"run\": { \"retries\": 0 },");

    /// <summary>The fault that fails the sweep's second unit at its last step (each b1 unit takes 15 steps).</summary>
    public const string FaultPlan = "throw@train-step#30";

    /// <summary>The commit the fixture's root is checked out at (a detached HEAD), so the manifest has one to show.</summary>
    public const string GitCommit = "83e6a23c41d0f5b2a9c7e1d4b6f80a3c5e7d9b12";

    static readonly Lazy<string> folder = new(() => PipelineFixture.Build(ConfigJson, FaultPlan, expectedFailures: 1, GitCommit),
                                              LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The results folder (do not modify it: take a <see cref="Copy"/>).</summary>
    public static string Folder => folder.Value;

    /// <summary>A writable copy of the folder's top-level files inside <paramref name="tmp"/>.</summary>
    public static string Copy(TempDirectory tmp) => PipelineFixture.Copy(tmp, "report", Folder);
}
