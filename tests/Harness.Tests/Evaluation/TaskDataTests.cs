using Harness.Evaluation;

namespace Harness.Tests.Evaluation;

/// <summary>A fact that is skipped, with a message saying how to run it, unless HARNESS_TASK_SOURCES is set.</summary>
public sealed class TaskSourcesFactAttribute : FactAttribute
{
    public const string Variable = "HARNESS_TASK_SOURCES";

    public TaskSourcesFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"{Variable} is not set: point it at the raw third-party task sources (layout in Evaluation/Tasks/data/SOURCES.md) to run this check.";
    }
}

public class TaskDataTests
{
    static readonly string[] DataFiles = [TaskData.VerbsFile, TaskData.FactsFile, TaskData.GrammarFile, TaskData.KnowledgeFile];

    [Fact]
    public void Rebuilding_from_the_committed_tables_reproduces_every_item_file_byte_for_byte()
    {
        using var tmp = new TempDirectory();
        TaskDataBuilder.BuildAll(tmp.Path, sourcesDirectory: null);
        foreach (var file in DataFiles)
            Assert.True(TaskData.ReadEmbedded(file) == File.ReadAllText(tmp.File(file)), $"{file} differs from its rebuild; run TaskDataBuilder.BuildAll and commit.");
    }

    /// <summary>
    /// Extraction from the raw third-party sources (not committed; see SOURCES.md) reproduces the committed tables.
    /// Skipped (reported as such) unless HARNESS_TASK_SOURCES points at the sources layout; HARNESS_TASK_OUTPUT, when set,
    /// receives the item files and HARNESS_FACTS_OUTPUT the fact table.
    /// </summary>
    [TaskSourcesFact]
    public void Extraction_from_raw_sources_matches_the_committed_tables()
    {
        var sources = Environment.GetEnvironmentVariable(TaskSourcesFactAttribute.Variable)!;
        using var tmp = new TempDirectory();
        var dir = Environment.GetEnvironmentVariable("HARNESS_TASK_OUTPUT") is { Length: > 0 } o ? o : tmp.Path;
        var factsDir = Environment.GetEnvironmentVariable("HARNESS_FACTS_OUTPUT") is { Length: > 0 } f ? f : dir;
        TaskDataBuilder.BuildAll(dir, sources, factsDir);
        foreach (var file in DataFiles)
            Assert.Equal(TaskData.ReadEmbedded(file), File.ReadAllText(Path.Combine(file == TaskData.FactsFile ? factsDir : dir, file)));
    }
}
