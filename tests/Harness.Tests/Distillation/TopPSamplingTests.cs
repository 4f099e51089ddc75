using Harness.Distillation;
using static TorchSharp.torch;

namespace Harness.Tests.Distillation;

/// <summary>Nucleus (top-p) sampling of the seq-KD teacher (Holtzman et al. 2020) on hand-made logits.</summary>
public class TopPSamplingTests
{
    // Token probabilities, deliberately not in sorted order: token 2 is the most likely, then 0, 3, 1.
    static readonly double[] Probabilities = [0.3, 0.05, 0.5, 0.15];
    const int Draws = 20_000;

    /// <summary><see cref="Draws"/> samples, one per row of identical logits log p, from a seeded generator.</summary>
    static long[] Sample(double topP, ulong seed = 7)
    {
        using var scope = NewDisposeScope();
        var row = tensor(Probabilities.Select(v => Math.Log(v)).ToArray(), [1, Probabilities.Length], ScalarType.Float64);
        var logits = row.expand(Draws, Probabilities.Length);
        using var generator = new Generator(seed);
        var next = SyntheticCorpus.SampleTopP(logits, topP, generator);                 // (Draws, 1)
        Assert.Equal([Draws, 1L], next.shape);
        return next.data<long>().ToArray();
    }

    // Sorted: 0.5 (token 2), 0.3 (token 0), 0.15 (token 3), 0.05 (token 1); cumulative 0.5, 0.8, 0.95, 1.0.
    // The nucleus is the smallest prefix whose cumulative probability reaches p:
    [Theory]
    [InlineData(0.3, new long[] { 2 })]            // 0.5 ≥ 0.3 already
    [InlineData(0.5 - 1e-9, new long[] { 2 })]
    [InlineData(0.75, new long[] { 2, 0 })]        // 0.5 < 0.75 ≤ 0.8
    [InlineData(0.9, new long[] { 2, 0, 3 })]      // 0.8 < 0.9 ≤ 0.95
    [InlineData(1.0, new long[] { 2, 0, 3, 1 })]   // p = 1: nothing is cut
    public void Only_the_smallest_set_reaching_p_is_sampled_in_proportion_to_its_renormalised_probabilities(double topP, long[] nucleus)
    {
        var samples = Sample(topP);
        // Tokens outside the nucleus are never drawn; every token inside it is.
        Assert.Equal(nucleus.Order(), samples.Distinct().Order());
        // Frequencies follow p renormalised over the nucleus: e.g. p = 0.75 gives 0.5/0.8 = 0.625 and 0.3/0.8 = 0.375.
        double mass = nucleus.Sum(t => Probabilities[t]);
        foreach (var token in nucleus)
        {
            double expected = Probabilities[token] / mass;
            double observed = samples.Count(s => s == token) / (double)Draws;
            // Binomial standard error ≤ sqrt(0.25 / 20000) ≈ 0.0035; the seed is fixed, so this is deterministic.
            Assert.True(Math.Abs(observed - expected) < 0.015, $"token {token}: observed {observed:F4}, expected {expected:F4} (top_p {topP})");
        }
    }

    // Eight equally likely tokens (equal logits: softmax gives exactly 1/8 each, and every cumulative sum k/8 is exact in
    // binary), so p can sit exactly on a boundary.  The nucleus is the smallest set whose mass reaches p: ⌈8p⌉ tokens.
    [Theory]
    [InlineData(0.125, 1)]
    [InlineData(0.375, 3)]          // 3/8 reaches 0.375 exactly: a fourth token is not needed
    [InlineData(0.375 + 1e-6, 4)]   // just above: it is
    [InlineData(0.5, 4)]
    [InlineData(0.9, 8)]
    [InlineData(1.0, 8)]
    public void On_an_exact_boundary_the_nucleus_stops_at_the_token_whose_mass_reaches_p(double topP, int nucleusSize)
    {
        using var scope = NewDisposeScope();
        var logits = zeros(4000, 8, dtype: ScalarType.Float32);                  // identical rows: the same tie order in each
        using var generator = new Generator(11);
        var samples = SyntheticCorpus.SampleTopP(logits, topP, generator).data<long>().ToArray();
        // 4000 draws from ≤ 8 equally likely tokens: each one in the nucleus appears (miss chance < 8·(7/8)^4000).
        Assert.Equal(nucleusSize, samples.Distinct().Count());
    }

    [Fact]
    public void Sampling_is_a_function_of_the_seed()
    {
        Assert.Equal(Sample(0.9, seed: 3), Sample(0.9, seed: 3));
        Assert.NotEqual(Sample(0.9, seed: 3), Sample(0.9, seed: 4));
    }
}
