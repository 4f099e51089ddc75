using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Sweep;

public sealed class TeacherProviderTests : IDisposable
{
    const string ConfigJson = """
    {
      "name": "teacher-provider",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 } },
      "budgets": [ { "name": "b", "tokens": 1000 } ],
      "methods": ["scratch"]
    }
    """;

    readonly TempDirectory tmp = new();
    readonly PreparedData data;

    public TeacherProviderTests()
    {
        var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
        data = new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = tmp.Path }).PrepareData();
    }

    public void Dispose() => tmp.Dispose();

    TeacherProvider Provider(string? checkpoint, string? trainConfig = null) =>
        new(new TeacherSpec { Checkpoint = checkpoint, TrainConfig = trainConfig }, tmp.Path, torch.CPU);

    string SaveTeacher(string name, string? tokenizerHash = null, Action<Gpt>? tamper = null)
    {
        torch.manual_seed(3);
        var shape = new GptConfig(data.VocabSize, 16, 1, 2, 16);
        using var teacher = new Gpt(shape);
        tamper?.Invoke(teacher);
        var folder = Path.Combine(tmp.Path, "models", name);
        Checkpoint.Save(teacher, folder, new CheckpointInfo { Model = shape, TokenizerHash = tokenizerHash ?? data.TokenizerHash, CorpusHash = data.CorpusHash, TrainingFlops = 2e9, TrainingTokens = 500 });
        return folder;
    }

    [Fact]
    public void No_teacher_configured_gives_none()
    {
        var provider = Provider(null);
        Assert.False(provider.NeedsTraining);
        Assert.Null(provider.CheckpointPath);
        using var none = provider.Load(data);
        Assert.Equal(LoadedTeacher.None, none);
        Assert.Equal(LoadedTeacher.None, provider.Identify());
    }

    [Fact]
    public void A_saved_teacher_loads_with_its_hash_and_identify_reads_the_same_without_the_model()
    {
        var folder = SaveTeacher("good");
        var provider = Provider("models/good");
        Assert.False(provider.NeedsTraining);
        Assert.Equal(Path.GetFullPath(folder), provider.CheckpointPath);
        using var loaded = provider.Load(data);
        Assert.NotNull(loaded.Model);
        Assert.Equal(Checkpoint.Hash(folder), loaded.Hash);
        Assert.Equal(2e9, loaded.Info!.TrainingFlops);
        var identity = provider.Identify();
        Assert.Null(identity.Model);
        Assert.Equal((loaded.Hash, loaded.Path, loaded.Info.TrainingFlops), (identity.Hash, identity.Path, identity.Info!.TrainingFlops));
    }

    [Fact]
    public void A_missing_checkpoint_without_train_config_names_the_field_and_the_fix()
    {
        var provider = Provider("models/absent");
        Assert.True(provider.NeedsTraining);
        var e = Assert.Throws<UserInputException>(() => provider.Load(data));
        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$.teacher.checkpoint: \"models/absent\" has no", problem);
        Assert.Contains("teacher.train_config", problem);
    }

    [Fact]
    public void A_teacher_from_another_tokenizer_is_refused()
    {
        SaveTeacher("other", tokenizerHash: "not-this-one");
        var e = Assert.Throws<UserInputException>(() => Provider("models/other").Load(data));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("hash not-this-one", problem);
        Assert.Contains($"{data.VocabSize} tokens, hash {data.TokenizerHash}", problem);
        Console.WriteLine($"REFUSAL | {e.Message} | {problem}");
    }

    [Fact]
    public void A_teacher_with_finite_weights_but_non_finite_output_is_refused()
    {
        // Huge (finite) weights overflow float32 in the forward pass.
        SaveTeacher("overflow", tamper: t => { using var _ = torch.no_grad(); foreach (var p in t.parameters()) p.copy_(p.FilledLike(1e30)); });
        var e = Assert.Throws<UserInputException>(() => Provider("models/overflow").Load(data));
        Assert.Contains("non-finite held-out loss", e.Message);
    }
}
