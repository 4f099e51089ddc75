using Harness.Evaluation;

namespace Harness.Tests.Evaluation;

public class TaskDataTests
{
    static readonly string[] DataFiles = [TaskData.VerbsFile, TaskData.FactsFile, TaskData.GrammarFile, TaskData.KnowledgeFile];

    [Fact]
    public void Rebuilding_from_the_committed_tables_reproduces_every_item_file_byte_for_byte()
    {
        var dir = TestSupport.TempDirectory();
        TaskDataBuilder.BuildAll(dir, sourcesDirectory: null);
        foreach (var file in DataFiles)
            Assert.True(TaskData.ReadEmbedded(file) == File.ReadAllText(Path.Combine(dir, file)), $"{file} differs from its rebuild; run TaskDataBuilder.BuildAll and commit.");
    }

    /// <summary>
    /// Extraction from the raw third-party sources (not committed; see SOURCES.md) reproduces the committed tables.
    /// Runs only when HARNESS_TASK_SOURCES points at the sources layout; HARNESS_TASK_OUTPUT, when set, receives the files.
    /// </summary>
    [Fact]
    public void Extraction_from_raw_sources_matches_the_committed_tables_when_sources_are_available()
    {
        var sources = Environment.GetEnvironmentVariable("HARNESS_TASK_SOURCES");
        if (string.IsNullOrEmpty(sources)) return;
        var dir = Environment.GetEnvironmentVariable("HARNESS_TASK_OUTPUT") is { Length: > 0 } o ? o : TestSupport.TempDirectory();
        TaskDataBuilder.BuildAll(dir, sources);
        foreach (var file in DataFiles)
            Assert.Equal(TaskData.ReadEmbedded(file), File.ReadAllText(Path.Combine(dir, file)));
    }
}
