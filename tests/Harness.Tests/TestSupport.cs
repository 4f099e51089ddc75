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

    static TestSupport() => torch.set_num_threads(1);
}
