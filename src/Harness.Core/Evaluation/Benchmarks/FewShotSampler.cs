namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// How a task draws its few-shot examples, as its lm-eval task file sets it.  <paramref name="FirstN"/>: the
/// <c>first_n</c> sampler (the first documents of the few-shot split in order; MMLU's <c>fewshot_config</c>), else the
/// default sampler (<c>random.Random(seed).sample</c>).  <paramref name="DrawsOneExtra"/>: lm-eval draws k + 1
/// documents and drops the evaluated one, because the yaml's <c>fewshot_split</c> equals its <c>test_split</c>, which
/// is also true when both are unset (hellaswag, piqa and winogrande have <c>test_split: null</c> and no
/// <c>fewshot_split</c>, so they draw k + 1 from the training split and keep the first k).
/// </summary>
public sealed record FewShotRule(bool FirstN = false, bool DrawsOneExtra = false)
{
    public static readonly FewShotRule Default = new();

    /// <summary>How many documents one draw takes for <paramref name="k"/> examples.</summary>
    public int Drawn(int k) => k + (DrawsOneExtra ? 1 : 0);
}

/// <summary>
/// lm-evaluation-harness's few-shot sampler (v0.4.9.2, <c>lm_eval/api/samplers.py</c> <c>ContextSampler.get_context</c>
/// and <c>sample</c>; <c>lm_eval/api/task.py</c> <c>set_fewshot_seed</c> and <c>build_all_requests</c>):
/// <list type="bullet">
/// <item>one generator per task, <c>random.Random(fewshot_seed)</c> (default 1234), shared by all documents;</item>
/// <item>documents take their turn in the evaluated split's order; each draws <c>rnd.sample(fewshot_docs, n)</c>
/// (<see cref="FewShotRule.Drawn"/>), or the first n for <c>first_n</c>;</item>
/// <item>the drawn documents equal to the evaluated one (<c>x != doc</c>, the rows compared) are dropped and the first
/// k kept, so a draw that holds the document itself with n = k gives k − 1 examples, as lm-eval's does.</item>
/// </list>
/// So document i's examples are those of lm-eval's i-th draw whatever subset is scored (lm-eval's <c>--limit N</c>
/// scores the first N documents, whose draws are the first N).
/// </summary>
public static class FewShotSampler
{
    /// <summary>For each document of <paramref name="docs"/>, the indices into <paramref name="pool"/> of its
    /// examples, in the order they are written into the prompt.</summary>
    public static int[][] Draw(IReadOnlyList<LmEvalDoc> docs, IReadOnlyList<LmEvalDoc> pool, int k, int seed, FewShotRule rule)
    {
        var result = new int[docs.Count][];
        if (k == 0)
        {
            for (int d = 0; d < docs.Count; d++) result[d] = [];
            return result;
        }
        int n = rule.Drawn(k);
        if (n > pool.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"{n} few-shot documents drawn from a split of {pool.Count}");
        var rnd = new PythonRandom(seed);
        var firstN = Enumerable.Range(0, n).ToArray();
        for (int d = 0; d < docs.Count; d++)
        {
            var drawn = rule.FirstN ? firstN : rnd.Sample(pool.Count, n);
            result[d] = drawn.Where(i => !pool[i].SameRowAs(docs[d])).Take(k).ToArray();
        }
        return result;
    }
}
