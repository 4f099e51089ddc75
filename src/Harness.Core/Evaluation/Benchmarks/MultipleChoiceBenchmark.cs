using System.Text.Json;
using Harness.Data;

namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// A multiple-choice task of lm-evaluation-harness read from the published data files and scored as lm-eval scores it
/// (<c>lm_eval/api/task.py</c>, <c>ConfigurableTask.construct_requests</c> and <c>process_results</c>):
/// <list type="bullet">
/// <item>context = few-shot examples, each <see cref="LmEvalDoc.AsExample"/>, joined and followed by the fewshot
/// delimiter "\n\n", then the document's text (0-shot: the text alone);</item>
/// <item>one loglikelihood request per choice, continuation = target delimiter " " + choice (WinoGrande: context =
/// few-shot prefix + choice, continuation = " " + the shared target);</item>
/// <item>acc and acc_norm per <see cref="LmEvalMetrics.Score"/> (WinoGrande reports acc only, as its yaml does);
/// stderr is lm-eval's <c>mean_stderr</c>.</item>
/// </list>
/// Few-shot examples are drawn without replacement from the few-shot split (never the document itself), by a
/// generator seeded with (seed, task, document index), so a document's prompt does not depend on which others are
/// scored.  lm-eval draws with Python's <c>random.Random(1234)</c> in document order, so k-shot prompts hold
/// different examples than lm-eval's (same count, format and pool).
/// </summary>
public sealed class MultipleChoiceBenchmark : IEvaluationTask
{
    public const string TargetDelimiter = " ";
    public const string FewShotDelimiter = "\n\n";

    readonly IReadOnlyList<LmEvalDoc> docs;
    readonly IReadOnlyList<LmEvalDoc> fewShotPool;
    readonly bool sameSplit;
    readonly int numFewShot;
    readonly int seed;

    /// <param name="fewShotPool">Documents of the few-shot split (empty when <paramref name="numFewShot"/> is 0).</param>
    /// <param name="sameSplit">The pool is the evaluated split itself, so a document must not be its own example.</param>
    public MultipleChoiceBenchmark(string name, BenchmarkSource source, IReadOnlyList<LmEvalDoc> docs, IReadOnlyList<LmEvalDoc> fewShotPool,
                                   bool sameSplit, int numFewShot, int seed, bool reportAccNorm)
    {
        if (numFewShot < 0) throw new ArgumentOutOfRangeException(nameof(numFewShot), numFewShot, "must be ≥ 0");
        if (numFewShot > 0 && fewShotPool.Count < numFewShot + (sameSplit ? 1 : 0))
            throw new UserInputException($"task '{name}': num_fewshot {numFewShot} needs at least {numFewShot} few-shot documents; the few-shot split has {fewShotPool.Count}.");
        Name = name;
        Source = source;
        this.docs = docs;
        this.fewShotPool = fewShotPool;
        this.sameSplit = sameSplit;
        this.numFewShot = numFewShot;
        this.seed = seed;
        Metrics = reportAccNorm ? ["acc", "acc_norm"] : ["acc"];
    }

    public string Name { get; }
    public BenchmarkSource Source { get; }
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; }
    public int ItemCount => docs.Count;
    public int NumFewShot => numFewShot;
    public IReadOnlyList<LmEvalDoc> Docs => docs;

    /// <summary>The requests of document <paramref name="index"/>, one per choice, in choice order.</summary>
    public IReadOnlyList<LoglikelihoodRequest> Requests(int index)
    {
        var doc = docs[index];
        var prefix = FewShotPrefix(index);
        return doc.MultipleInput
            ? doc.Choices.Select(c => new LoglikelihoodRequest(prefix + c, TargetDelimiter + doc.SharedTarget)).ToArray()
            : doc.Choices.Select(c => new LoglikelihoodRequest(prefix + doc.Text, TargetDelimiter + c)).ToArray();
    }

    string FewShotPrefix(int index)
    {
        if (numFewShot == 0) return "";
        var rng = new StableRandom(seed, $"fewshot:{Name}:{index}");
        var candidates = Enumerable.Range(0, fewShotPool.Count).Where(i => !sameSplit || i != index).ToArray();
        // Partial Fisher–Yates: the first k of a seeded shuffle.
        for (int i = 0; i < numFewShot; i++)
        {
            int j = i + rng.Next(candidates.Length - i);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        return string.Concat(candidates.Take(numFewShot).Select(i => fewShotPool[i].AsExample(TargetDelimiter) + FewShotDelimiter));
    }

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var indices = EvaluationMetrics.Subset(Enumerable.Range(0, docs.Count).ToArray(), maxItems, Name);
        var requests = new List<LoglikelihoodRequest>();
        foreach (var i in indices) requests.AddRange(Requests(i));
        var results = scorer.LogLikelihood(requests);
        if (results.Count != requests.Count) throw new InvalidOperationException($"scorer returned {results.Count} results for {requests.Count} requests.");
        var acc = new double[indices.Count];
        var accNorm = new double[indices.Count];
        int r = 0;
        for (int k = 0; k < indices.Count; k++)
        {
            var doc = docs[indices[k]];
            var lls = results.Skip(r).Take(doc.Choices.Count).Select(x => x.LogProb).ToArray();
            r += doc.Choices.Count;
            var (a, n) = LmEvalMetrics.Score(lls, doc.Choices, doc.Gold);
            acc[k] = a ? 1 : 0;
            accNorm[k] = n ? 1 : 0;
        }
        double chance = indices.Count == 0 ? double.NaN : indices.Average(i => 1.0 / docs[i].Choices.Count);
        var scores = new List<TaskScore> { LmEvalMetrics.Mean(Name, Version, "acc", acc, chance) };
        if (Metrics.Contains("acc_norm")) scores.Add(LmEvalMetrics.Mean(Name, Version, "acc_norm", accNorm, chance));
        return scores;
    }

    /// <summary>Reads a split's rows with <paramref name="format"/>, reporting every schema problem at once.</summary>
    public static IReadOnlyList<LmEvalDoc> ReadDocs(IReadOnlyList<string> files, Func<JsonElement, int, RowReader, LmEvalDoc> format, string dataset)
    {
        var rows = DatasetFiles.ReadRows(files);
        var reader = new RowReader(string.Join(" + ", files));
        var docs = new List<LmEvalDoc>(rows.Count);
        for (int i = 0; i < rows.Count; i++) docs.Add(format(rows[i], i, reader));
        reader.ThrowIfAny($"the file should hold the Hugging Face dataset {dataset} in its published schema.");
        if (docs.Count == 0) throw new UserInputException($"{string.Join(" + ", files)}: no rows.");
        return docs;
    }
}
