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
/// Few-shot examples are lm-eval's (<see cref="FewShotSampler"/>: Python's <c>random.Random(fewshot_seed)</c> drawing
/// for each document in order), computed once for the whole split, so a document's prompt does not depend on which
/// others are scored.  A task <c>description</c> (MMLU's) goes in front of everything, as lm-eval's
/// <c>fewshot_context</c> puts it.
/// </summary>
public sealed class MultipleChoiceBenchmark : IEvaluationTask
{
    public const string TargetDelimiter = " ";
    public const string FewShotDelimiter = "\n\n";

    readonly IReadOnlyList<LmEvalDoc> docs;
    readonly IReadOnlyList<LmEvalDoc> fewShotPool;
    readonly int numFewShot;
    readonly string description;
    readonly Lazy<int[][]> examples;

    /// <param name="fewShotPool">Documents of the few-shot split (empty when <paramref name="numFewShot"/> is 0).</param>
    /// <param name="rule">How lm-eval's task file draws its examples.</param>
    /// <param name="description">Text before the examples and the document (lm-eval's <c>description</c>; "" for none).</param>
    public MultipleChoiceBenchmark(string name, BenchmarkSource source, IReadOnlyList<LmEvalDoc> docs, IReadOnlyList<LmEvalDoc> fewShotPool,
                                   FewShotRule rule, int numFewShot, int seed, bool reportAccNorm, string description = "")
    {
        if (numFewShot < 0) throw new ArgumentOutOfRangeException(nameof(numFewShot), numFewShot, "must be ≥ 0");
        if (numFewShot > 0 && fewShotPool.Count < rule.Drawn(numFewShot))
            throw new UserInputException($"task '{name}': num_fewshot {numFewShot} needs at least {rule.Drawn(numFewShot)} few-shot documents{(rule.DrawsOneExtra ? " (lm-eval draws one more than it keeps for this task)" : "")}; the few-shot split has {fewShotPool.Count}.");
        Name = name;
        Source = source;
        this.docs = docs;
        this.fewShotPool = fewShotPool;
        this.numFewShot = numFewShot;
        this.description = description;
        examples = new(() => FewShotSampler.Draw(docs, fewShotPool, numFewShot, seed, rule));
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

    /// <summary>The indices into the few-shot split of document <paramref name="index"/>'s examples, in prompt order.</summary>
    public IReadOnlyList<int> FewShotExamples(int index) => numFewShot == 0 ? [] : examples.Value[index];

    string FewShotPrefix(int index) =>
        description + string.Concat(FewShotExamples(index).Select(i => fewShotPool[i].AsExample(TargetDelimiter) + FewShotDelimiter));

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems) =>
        Score(scorer, EvaluationMetrics.Subset(Enumerable.Range(0, docs.Count).ToArray(), maxItems, Name));

    /// <summary>acc (and acc_norm) over the documents <paramref name="indices"/>.</summary>
    public IReadOnlyList<TaskScore> Score(ILanguageModelScorer scorer, IReadOnlyList<int> indices)
    {
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
        for (int i = 0; i < rows.Count; i++) docs.Add(format(rows[i], i, reader) with { Row = rows[i] });
        reader.ThrowIfAny($"the file should hold the Hugging Face dataset {dataset} in its published schema.");
        if (docs.Count == 0) throw new UserInputException($"{string.Join(" + ", files)}: no rows.");
        return docs;
    }
}
