using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Harness.Config;

namespace Harness.Data;

/// <summary>Disjoint document sets; each list keeps the corpus order.</summary>
public sealed record CorpusSplit(IReadOnlyList<Document> Train, IReadOnlyList<Document> Validation, IReadOnlyList<Document> Test);

/// <summary>
/// Splits by whole document so no validation/test text leaks into tokenizer training or the training stream.
/// Each document gets a score from sha256(seed, id): unlike System.HashCode (randomised per process) it is the same on
/// every run and machine, and unlike a seeded RNG it does not depend on document order.  Documents are ranked by
/// score; the lowest round(n·v) go to validation, the next round(n·t) to test, the rest to train, so sizes are exact
/// and, with n ≥ 3, every split gets at least one document.
/// </summary>
public static class CorpusSplitter
{
    public static CorpusSplit Split(IReadOnlyList<Document> docs, SplitSpec spec)
    {
        var problems = DataSpecValidator.Validate(spec, "(split spec)");
        if (problems.Count > 0) throw new UserInputException("Invalid split specification.", problems);
        if (docs.Count < 3)
            throw new UserInputException($"The corpus has {docs.Count} document(s); splitting needs at least 3 (one each for train, validation and test).");

        int n = docs.Count;
        int nValidation = Math.Max(1, (int)Math.Round(n * spec.ValidationFraction, MidpointRounding.AwayFromZero));
        int nTest = Math.Max(1, (int)Math.Round(n * spec.TestFraction, MidpointRounding.AwayFromZero));
        // Train must keep at least one document; shrink the larger held-out set first.
        while (nValidation + nTest > n - 1)
        {
            if (nValidation >= nTest) nValidation--; else nTest--;
        }

        // Ties (equal 64-bit scores) are practically impossible but are broken by id so the order is total.
        var ranked = Enumerable.Range(0, n)
            .Select(i => (Index: i, Score: Score(spec.Seed, docs[i].Id)))
            .OrderBy(x => x.Score).ThenBy(x => docs[x.Index].Id, StringComparer.Ordinal)
            .Select(x => x.Index)
            .ToArray();
        var assignment = new byte[n]; // 0 train, 1 validation, 2 test
        for (int r = 0; r < nValidation; r++) assignment[ranked[r]] = 1;
        for (int r = nValidation; r < nValidation + nTest; r++) assignment[ranked[r]] = 2;

        var train = new List<Document>(n - nValidation - nTest);
        var validation = new List<Document>(nValidation);
        var test = new List<Document>(nTest);
        for (int i = 0; i < n; i++)
            (assignment[i] switch { 1 => validation, 2 => test, _ => train }).Add(docs[i]);
        return new CorpusSplit(train, validation, test);
    }

    /// <summary>
    /// The same rule over split scores alone (<see cref="Score"/> of each document's id, in corpus order), for corpora
    /// streamed rather than held: 8 bytes per document.  Ties are broken by position instead of id; two documents
    /// with equal 64-bit scores have (but for a 2⁻⁶⁴ chance) the same id, which is reported as a problem.
    /// Returns 0 train, 1 validation, 2 test per document.
    /// </summary>
    public static byte[] Assign(IReadOnlyList<ulong> scores, SplitSpec spec, List<string> problems)
    {
        int n = scores.Count;
        if (n < 3)
        {
            problems.Add($"The corpus has {n} document(s); splitting needs at least 3 (one each for train, validation and test).");
            return [];
        }
        int nValidation = Math.Max(1, (int)Math.Round(n * spec.ValidationFraction, MidpointRounding.AwayFromZero));
        int nTest = Math.Max(1, (int)Math.Round(n * spec.TestFraction, MidpointRounding.AwayFromZero));
        while (nValidation + nTest > n - 1)
        {
            if (nValidation >= nTest) nValidation--; else nTest--;
        }
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order); // unstable, so equal keys are ordered by position below
        int duplicates = 0;
        for (int i = 1; i < n; i++)
            if (keys[i] == keys[i - 1]) duplicates++;
        if (duplicates > 0)
        {
            problems.Add($"{duplicates} document(s) repeat an earlier document's id; ids must be unique because splits are assigned by id. Fix data.corpus.id_field or leave it out to number documents by file and line.");
            return [];
        }
        var assignment = new byte[n];
        for (int r = 0; r < nValidation; r++) assignment[order[r]] = 1;
        for (int r = nValidation; r < nValidation + nTest; r++) assignment[order[r]] = 2;
        return assignment;
    }

    internal static ulong Score(int seed, string id)
    {
        var bytes = Encoding.UTF8.GetBytes(seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + id);
        return BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(bytes));
    }
}
