using Harness.Data;
using Harness.Data.Mixes;
using Harness.Config;

namespace Harness.Tests.Sweep;

public class TrainingMixTests
{
    [Fact]
    public void Mix_meets_its_character_fractions_and_is_deterministic()
    {
        var spec = new MixSpec { KnowledgeFraction = 0.2, ArithmeticFraction = 0.1, ArithmeticDigits = 2, Seed = 3 };
        const long corpusChars = 1_000_000;
        var a = TrainingMixBuilder.Build(spec, corpusChars);
        var b = TrainingMixBuilder.Build(spec, corpusChars);
        Assert.Equal(a.Hash, b.Hash);
        Assert.Equal(a.Documents, b.Documents);
        long arithmetic = a.Documents.Where(d => d.StartsWith("Q: ", StringComparison.Ordinal) && d.Contains(" = A: ")).Sum(d => (long)d.Length + 2);
        long knowledge = a.Documents.Sum(d => (long)d.Length) - a.Documents.Where(d => d.StartsWith("Q: ", StringComparison.Ordinal) && d.Contains(" = A: ")).Sum(d => (long)d.Length);
        double total = corpusChars + knowledge + arithmetic;
        Assert.InRange(knowledge / total, 0.19, 0.21);
        Assert.InRange(arithmetic / total, 0.09, 0.11);
        Assert.NotEqual(a.Hash, TrainingMixBuilder.Build(spec with { Seed = 4 }, corpusChars).Hash);
    }

    [Fact]
    public void Interleaving_keeps_every_document_whole_and_is_seeded()
    {
        var mix = new TrainingMix("h", ["k1", "k2", "k3"], "test", Seed: 5);
        var corpus = new[] { "c1", "c2", "c3", "c4" };
        var once = mix.Interleave(corpus).ToList();
        Assert.Equal(corpus.Concat(mix.Documents).Order(), once.Order());
        Assert.Equal(once, mix.Interleave(corpus).ToList());
    }
}
