using Harness.Data;
using Harness.Config;

namespace Harness.Tests.Data;

public class CorpusSplitterTests
{
    [Fact]
    public void Splits_are_disjoint_and_cover_the_corpus()
    {
        var docs = SmallCorpus.Full;
        var split = CorpusSplitter.Split(docs, new SplitSpec());
        var train = split.Train.Select(d => d.Id).ToHashSet();
        var validation = split.Validation.Select(d => d.Id).ToHashSet();
        var test = split.Test.Select(d => d.Id).ToHashSet();

        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
        Assert.Equal(docs.Count, train.Count + validation.Count + test.Count);
        Assert.Equal(19, validation.Count); // round(372 · 0.05)
        Assert.Equal(19, test.Count);
    }

    [Fact]
    public void No_heldout_document_text_appears_in_the_training_stream()
    {
        var split = CorpusSplitter.Split(SmallCorpus.Full, new SplitSpec());
        var trainText = string.Join(DataPipeline.Separator, split.Train.Select(d => d.Text));
        foreach (var doc in split.Validation.Concat(split.Test))
            Assert.False(trainText.Contains(doc.Text, StringComparison.Ordinal), doc.Id);
    }

    [Fact]
    public void Split_is_deterministic_and_order_independent_but_seed_dependent()
    {
        var docs = SmallCorpus.Full;
        var a = CorpusSplitter.Split(docs, new SplitSpec(Seed: 7));
        var b = CorpusSplitter.Split(docs, new SplitSpec(Seed: 7));
        var shuffled = CorpusSplitter.Split(docs.Reverse().ToList(), new SplitSpec(Seed: 7));
        var other = CorpusSplitter.Split(docs, new SplitSpec(Seed: 8));

        Assert.Equal(a.Validation.Select(d => d.Id), b.Validation.Select(d => d.Id));
        Assert.Equal(a.Test.Select(d => d.Id), b.Test.Select(d => d.Id));
        Assert.Equal(a.Validation.Select(d => d.Id).Order(), shuffled.Validation.Select(d => d.Id).Order());
        Assert.NotEqual(a.Validation.Select(d => d.Id), other.Validation.Select(d => d.Id));
    }

    [Fact]
    public void Default_seed_split_is_pinned()
    {
        // sha256-based assignment must not drift between runtimes or machines.
        var split = CorpusSplitter.Split(SmallCorpus.Full, new SplitSpec());
        Assert.Equal("sotu/1807_thomas_jefferson_dr", split.Validation[0].Id);
        Assert.Equal("sotu/1808_thomas_jefferson_dr", split.Test[0].Id);
    }

    [Fact]
    public void Three_documents_give_three_non_empty_splits()
    {
        var docs = SmallCorpus.Documents(2).Take(3).ToList();
        var split = CorpusSplitter.Split(docs, new SplitSpec(0.01, 0.01));
        Assert.Single(split.Train);
        Assert.Single(split.Validation);
        Assert.Single(split.Test);
    }

    [Fact]
    public void Too_few_documents_or_bad_fractions_are_user_errors()
    {
        var docs = SmallCorpus.Documents(1);
        Assert.Throws<UserInputException>(() => CorpusSplitter.Split(docs, new SplitSpec()));
        var e = Assert.Throws<UserInputException>(() => CorpusSplitter.Split(SmallCorpus.Full, new SplitSpec(0, 1.5)));
        Assert.Equal(2, e.Problems.Count);
    }
}
