using System.Diagnostics;
using System.Text.Json;
using Harness.Evaluation.Benchmarks;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>Runs only where /usr/bin/python3 exists; skips with a message elsewhere.</summary>
public sealed class Python3FactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public Python3FactAttribute()
    {
        if (!File.Exists(Python)) Skip = $"{Python} not found: this test compares the C# port of random.Random with CPython's (the committed vector in tests/fixtures/python-random is checked without it).";
    }
}

/// <summary>
/// <see cref="PythonRandom"/> draws what CPython's <c>random.Random</c> draws: against the committed vector
/// (tests/fixtures/python-random/expected.json, written by its generate.py) and against a live python3.
/// </summary>
public class PythonRandomTests
{
    static string VectorFile => Path.Combine(StandardBenchmarkTests.FixtureDir, "..", "python-random", "expected.json");

    [Fact]
    public void Outputs_and_samples_match_the_committed_python_vector()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(VectorFile));
        int checkedCases = 0;
        foreach (var c in doc.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var rnd = new PythonRandom(c.GetProperty("seed").GetInt64());
            Assert.Equal(c.GetProperty("getrandbits32").EnumerateArray().Select(e => e.GetUInt32()), Enumerable.Range(0, 5).Select(_ => rnd.GetRandBits(32)));
            checkedCases++;
        }
        foreach (var c in doc.RootElement.GetProperty("samples").EnumerateArray())
        {
            var rnd = new PythonRandom(c.GetProperty("seed").GetInt64());
            int n = c.GetProperty("n").GetInt32(), k = c.GetProperty("k").GetInt32();
            foreach (var draw in c.GetProperty("draws").EnumerateArray())
                Assert.Equal(draw.EnumerateArray().Select(e => e.GetInt32()), rnd.Sample(n, k));
            checkedCases++;
        }
        Assert.Equal(10, checkedCases);
        // Spot values, readable without the file: Random(1234).getrandbits(32) and the first 1-of-2 draws.
        Assert.Equal(4150886329u, new PythonRandom(1234).GetRandBits(32));
        var r = new PythonRandom(1234);
        Assert.Equal([[1], [0], [0]], Enumerable.Range(0, 3).Select(_ => r.Sample(2, 1)));
    }

    [Python3Fact]
    public void Draws_match_a_live_python3_for_seeds_and_sizes_not_in_the_vector()
    {
        // Both branches of random.sample (pool list for n ≤ 21 + 4^⌈log₄ 3k⌉, selected set above), a seed above 2³², a
        // negative one, k = n, and many calls in sequence from one generator as lm-eval's sampler makes them.
        (long Seed, int N, int K, int Draws)[] cases = [(1234, 5, 5, 4), (99, 22, 1, 30), (-3, 60000, 3, 20), (6_000_000_000, 500, 30, 5), (1234, 117, 7, 10), (2024, 1, 1, 3)];
        var script = string.Join("\n", cases.Select(c =>
            $"r = random.Random({c.Seed})\nprint(json.dumps([r.sample(range({c.N}), {c.K}) for _ in range({c.Draws})]))"));
        var psi = new ProcessStartInfo(Python3FactAttribute.Python, ["-c", "import json, random\n" + script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(20_000), "python3 did not finish in 20 s");
        Assert.True(p.ExitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Length, lines.Length);
        for (int i = 0; i < cases.Length; i++)
        {
            var (seed, n, k, draws) = cases[i];
            var rnd = new PythonRandom(seed);
            var expected = JsonSerializer.Deserialize<int[][]>(lines[i])!;
            Assert.Equal(expected, Enumerable.Range(0, draws).Select(_ => rnd.Sample(n, k)).ToArray());
        }
    }

    [Fact]
    public void A_sample_larger_than_the_population_is_refused_as_python_refuses_it()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PythonRandom(1).Sample(2, 3));
        Assert.Empty(new PythonRandom(1).Sample(0, 0));
    }
}
