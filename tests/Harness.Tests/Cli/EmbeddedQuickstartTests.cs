using Harness.Cli;
using Harness.Config;
using Harness.Modeling;

namespace Harness.Tests.Cli;

/// <summary>
/// Issue 24 point 9: the embedded quickstart runs outside a clone.  The tool carries its teacher (train config embedded,
/// checkpoint beside harness.dll); in a folder without them they are put where the quickstart's config points, so the
/// config (and its hash and results) is the clone's.
/// </summary>
public class EmbeddedQuickstartTests
{
    static readonly string Repo = CliTests.RepositoryRoot();

    static ExperimentConfig Quickstart() => JsonConfigReader.ReadFile<ExperimentConfig>(Path.Combine(Repo, "experiments", "quickstart.json"));

    [Fact]
    public void The_built_tool_ships_the_quickstart_teacher_and_its_train_config()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "models", "teacher-tiny");
        Assert.True(File.Exists(Path.Combine(shipped, Checkpoint.ConfigFile)), $"{shipped} is not shipped beside harness.dll");
        Assert.Equal(Checkpoint.Hash(Path.Combine(Repo, "models", "teacher-tiny")), Checkpoint.Hash(shipped));
        using var stream = typeof(EmbeddedQuickstart).Assembly.GetManifestResourceStream(EmbeddedQuickstart.TeacherTrainResource);
        Assert.NotNull(stream);
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "experiments", "teacher-tiny.json")), new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void Outside_a_clone_the_teacher_is_put_where_the_quickstart_looks_and_only_once()
    {
        using var tmp = new TempDirectory();
        var config = Quickstart();
        var placed = EmbeddedQuickstart.Materialize(config, tmp.Path);
        Assert.Equal(2, placed.Count);
        var teacher = Path.Combine(tmp.Path, "models", "teacher-tiny");
        Assert.Equal(Checkpoint.Hash(Path.Combine(Repo, "models", "teacher-tiny")), Checkpoint.Hash(teacher));
        var train = JsonConfigReader.ReadFile<TrainRunConfig>(Path.Combine(tmp.Path, "experiments", "teacher-tiny.json"));
        Assert.Equal(JsonConfigReader.Serialize(JsonConfigReader.ReadFile<TrainRunConfig>(Path.Combine(Repo, "experiments", "teacher-tiny.json"))), JsonConfigReader.Serialize(train));
        Assert.False(new Harness.Sweep.TeacherProvider(config.Teacher, tmp.Path, TorchSharp.torch.CPU).NeedsTraining);
        Assert.Empty(EmbeddedQuickstart.Materialize(config, tmp.Path));   // present now: nothing is copied again
    }

    [Fact]
    public void Without_a_shipped_checkpoint_the_train_config_lets_the_sweep_retrain_the_teacher()
    {
        using var tmp = new TempDirectory();
        using var bareTool = new TempDirectory();
        var config = Quickstart();
        var placed = Assert.Single(EmbeddedQuickstart.Materialize(config, tmp.Path, bareTool.Path));
        Assert.EndsWith("teacher-tiny.json", placed);
        Assert.True(new Harness.Sweep.TeacherProvider(config.Teacher, tmp.Path, TorchSharp.torch.CPU).NeedsTraining);
        Assert.Equal("teacher-tiny", JsonConfigReader.ReadFile<TrainRunConfig>(placed).Name);
    }
}
