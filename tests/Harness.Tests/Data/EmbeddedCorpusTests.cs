using Harness.Data;

namespace Harness.Tests.Data;

public class EmbeddedCorpusTests
{
    [Fact]
    public void Loads_all_sotu_addresses_and_moby_dick_chapters()
    {
        var docs = SmallCorpus.Full;
        var sotu = docs.Where(d => d.Source == "sotu").ToList();
        var moby = docs.Where(d => d.Source == "moby-dick").ToList();

        Assert.Equal(233, sotu.Count);
        Assert.Equal("sotu/1790_george_washington_n", sotu[0].Id);
        Assert.StartsWith("Fellow-Citizens of the Senate", sotu[0].Text);
        Assert.Equal(139, moby.Count); // contents, etymology, extracts, 135 chapters, epilogue
        Assert.Equal(135, moby.Count(d => d.Id.StartsWith("moby-dick/chapter_", StringComparison.Ordinal)));
        var chapter1 = moby.Single(d => d.Id == "moby-dick/chapter_1");
        Assert.Contains("Call me Ishmael.", chapter1.Text);
        Assert.Equal("Chapter 1. Loomings.", chapter1.Title);
    }

    [Fact]
    public void Documents_have_unique_ids_lf_line_endings_and_text()
    {
        var docs = SmallCorpus.Full;
        Assert.Equal(docs.Count, docs.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(docs, d =>
        {
            Assert.DoesNotContain('\r', d.Text);
            Assert.True(d.Text.Length > 100, d.Id);
        });
    }

    [Fact]
    public void Hash_is_stable_sha256_hex()
    {
        var hash = EmbeddedCorpus.Hash;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, EmbeddedCorpus.Hash);
        // Changing the bundle must be deliberate: update this value and Data/Corpus/PROVENANCE.md together.
        Assert.Equal("c848d9968798ff82c1081ab376087abcc6efaca0eb7f297ff319d4364613d603", hash);
    }

    [Fact]
    public void Document_list_hash_depends_on_ids_text_and_order()
    {
        var docs = SmallCorpus.Documents(2);
        var hash = CorpusFiles.Hash(docs);
        Assert.Equal(hash, CorpusFiles.Hash(docs.ToList()));
        Assert.NotEqual(hash, CorpusFiles.Hash(docs.Reverse().ToList()));
        Assert.NotEqual(hash, CorpusFiles.Hash([docs[0] with { Text = docs[0].Text + " " }, .. docs.Skip(1)]));
    }

    [Fact]
    public void Jsonl_corpus_file_reads_and_reports_every_bad_line()
    {
        using var dir = new TempDirectory();
        var good = Path.Combine(dir.Path, "good.jsonl");
        File.WriteAllText(good, "{\"id\":\"a\",\"source\":\"s\",\"title\":\"A\",\"text\":\"one\\r\\ntwo\"}\n{\"id\":\"b\",\"source\":\"s\",\"title\":\"B\",\"text\":\"three\"}\n");
        var docs = CorpusFiles.Read(good);
        Assert.Equal(2, docs.Count);
        Assert.Equal("one\ntwo", docs[0].Text);

        var bad = Path.Combine(dir.Path, "bad.jsonl");
        File.WriteAllText(bad, "{\"id\":\"a\",\"source\":\"s\",\"title\":\"A\"}\nnot json\n{\"id\":\"a\",\"source\":\"s\",\"title\":\"A\",\"text\":\"x\"}\n");
        var e = Assert.Throws<UserInputException>(() => CorpusFiles.Read(bad));
        Assert.Equal(3, e.Problems.Count);
        Assert.All(e.Problems, p => Assert.StartsWith(bad + ": line ", p));
    }
}
