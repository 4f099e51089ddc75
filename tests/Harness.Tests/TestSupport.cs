using TorchSharp;
using Harness.Config;

namespace Harness.Tests;

/// <summary>Shared fixtures: tiny shapes and synthetic streams so model tests run in seconds without the corpus.</summary>
public static class TestSupport
{
    public static GptConfig TinyModel(int vocab = 64, bool tied = true) => new(vocab, 16, 2, 2, 16, 0.0, tied);

    /// <summary>A learnable stream: a repeating pattern with a little noise, so loss can fall quickly.</summary>
    public static int[] PatternStream(int length, int vocab, int seed = 0)
    {
        var rng = new Random(seed);
        var tokens = new int[length];
        for (int i = 0; i < length; i++)
            tokens[i] = rng.NextDouble() < 0.05 ? rng.Next(vocab) : (i * 7 + i / 5) % vocab;
        return tokens;
    }

    public static int[] UnitByteLengths(int vocab) => Enumerable.Repeat(1, vocab).ToArray();

    /// <summary>
    /// A temp folder that lives until the end of the test run (it is inside <see cref="TestSession"/>'s folder).  Prefer
    /// <c>using var tmp = new TempDirectory();</c>, which deletes it when the test ends; this stays for folders shared
    /// across tests (prepared roots) and for tests without a scope to dispose one in.
    /// </summary>
    public static string TempDirectory() => new TempDirectory().Path;

    /// <summary>
    /// Saves the sweep tests' tiny teacher (1 layer, d_model 32, untrained, seeded) for <paramref name="data"/>'s
    /// tokenizer and corpus at ROOT/models/teacher, the checkpoint a <see cref="TinyExperiment"/> with a teacher names.
    /// Returns its shape.
    /// </summary>
    public static GptConfig SaveTinyTeacher(string root, Harness.Data.PreparedData data)
    {
        torch.manual_seed(11);
        var shape = new GptConfig(data.VocabSize, 16, 1, 2, 32);
        using var teacher = new Harness.Modeling.Gpt(shape);
        Harness.Modeling.Checkpoint.Save(teacher, System.IO.Path.Combine(root, "models", "teacher"),
            new Harness.Modeling.CheckpointInfo { Model = shape, TokenizerHash = data.TokenizerHash, CorpusHash = data.CorpusHash, TrainingFlops = 1e9, TrainingTokens = 1000 });
        return shape;
    }

    static TestSupport() => torch.set_num_threads(1);
}
