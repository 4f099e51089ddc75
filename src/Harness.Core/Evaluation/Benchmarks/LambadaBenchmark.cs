namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// lambada_openai (Paperno et al. 2016, "The LAMBADA dataset"; OpenAI's detokenised test set used by Radford et al.
/// 2019), as <c>lm_eval/tasks/lambada/lambada_openai.yaml</c> scores it: output_type loglikelihood, one request per
/// passage with context = all words but the last (<see cref="Formats.Lambada"/>) and continuation = " " + the last word;
/// perplexity = exp(−mean ll) (lower is better; no chance level, it depends on the tokenizer) and acc = the target is
/// the greedy continuation (<c>is_greedy</c>, chance 0).  Zero-shot only, as the task has no few-shot split.
/// </summary>
public sealed class LambadaBenchmark(BenchmarkSource source, IReadOnlyList<string> texts) : IEvaluationTask
{
    public const string TaskName = "lambada_openai";

    public string Name => TaskName;
    public BenchmarkSource Source => source;
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; } = ["perplexity", "acc"];
    public int ItemCount => texts.Count;

    public IReadOnlyList<LoglikelihoodRequest> Requests(int index)
    {
        var (context, target) = Formats.Lambada(texts[index]);
        return [new LoglikelihoodRequest(context, target)];
    }

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var indices = EvaluationMetrics.Subset(Enumerable.Range(0, texts.Count).ToArray(), maxItems, Name);
        var results = scorer.LogLikelihood(indices.SelectMany(Requests).ToArray());
        var lls = results.Select(r => r.LogProb).ToArray();
        return
        [
            new TaskScore(Name, Version, "perplexity", LmEvalMetrics.Perplexity(lls), double.NaN, lls.Length, double.NaN, false),
            LmEvalMetrics.Mean(Name, Version, "acc", results.Select(r => r.IsGreedy ? 1.0 : 0.0).ToArray(), 0.0),
        ];
    }
}

/// <summary>
/// wikitext (Merity et al. 2016, "Pointer Sentinel Mixture Models"), WikiText-2 raw, one document per Wikipedia page
/// (EleutherAI/wikitext_document_level), as <c>lm_eval/tasks/wikitext/wikitext.yaml</c> scores it: output_type
/// loglikelihood_rolling over the detokenised page (<see cref="Formats.WikiTextDetokenize"/>), then word_perplexity =
/// exp(−Σ ll / Σ words), byte_perplexity = exp(−Σ ll / Σ bytes), bits_per_byte = −Σ ll / Σ bytes / ln 2, where words
/// and bytes are counted on the original page before detokenisation (<c>preprocess_wikitext.py</c>,
/// <c>process_results</c>).  Lower is better; no chance level or stderr (lm-eval reports none for these either).
/// </summary>
public sealed class WikiTextBenchmark(BenchmarkSource source, IReadOnlyList<string> pages) : IEvaluationTask
{
    public const string TaskName = "wikitext";

    public string Name => TaskName;
    public BenchmarkSource Source => source;
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; } = ["word_perplexity", "byte_perplexity", "bits_per_byte"];
    public int ItemCount => pages.Count;

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var indices = EvaluationMetrics.Subset(Enumerable.Range(0, pages.Count).ToArray(), maxItems, Name);
        var results = scorer.LogLikelihoodRolling(indices.Select(i => Formats.WikiTextDetokenize(pages[i])).ToArray());
        var words = indices.Select((p, k) => (results[k].LogProb, (long)Formats.WikiTextWords(pages[p]))).ToArray();
        var bytes = indices.Select((p, k) => (results[k].LogProb, (long)EvaluationMetrics.Utf8Length(pages[p]))).ToArray();
        int n = indices.Count;
        return
        [
            new TaskScore(Name, Version, "word_perplexity", LmEvalMetrics.WeightedPerplexity(words), double.NaN, n, double.NaN, false),
            new TaskScore(Name, Version, "byte_perplexity", LmEvalMetrics.WeightedPerplexity(bytes), double.NaN, n, double.NaN, false),
            new TaskScore(Name, Version, "bits_per_byte", LmEvalMetrics.BitsPerByte(bytes), double.NaN, n, double.NaN, false),
        ];
    }
}
