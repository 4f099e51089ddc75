using Harness.Modeling;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace Harness.Evaluation;

/// <summary>
/// <see cref="ILanguageModelScorer"/> over a <see cref="Gpt"/> and its tokenizer, following lm-evaluation-harness's
/// HuggingFace backend (<c>lm_eval/models/huggingface.py</c>, <c>_encode_pair</c> and <c>_loglikelihood_tokens</c>):
/// <list type="bullet">
/// <item>context and continuation are encoded separately and the ids concatenated, after moving the context's trailing
/// whitespace onto the continuation, so every choice of an item shares the context's token prefix;</item>
/// <item>the sequence is left-truncated to the model's context length (the continuation is always kept whole);</item>
/// <item>requests are sorted by length and run in batches, right-padded.  Attention is causal, so padding after a
/// row's last real token cannot change that row's logits: batched and one-at-a-time scoring agree up to float rounding.</item>
/// <item>the output head and log-softmax run only at continuation positions (<see cref="Gpt.Hidden"/> then
/// <see cref="Gpt.Head"/>); a multiple-choice answer is a few tokens of a window of tens, and for small models the head
/// (2·C·V FLOPs per position) is most of the forward cost;</item>
/// <item>the log-softmax and the greedy argmax are over the tokenizer's V tokens: head rows beyond it (padding) are
/// dropped first (<see cref="CausalLm.TokenLogits"/>, README "Teacher vocabulary").</item>
/// </list>
/// Scoring runs under no_grad in eval mode (dropout off) with one dispose scope per batch; the model's previous
/// train/eval mode is restored afterwards.
/// </summary>
public sealed class GptScorer : ILanguageModelScorer
{
    readonly CausalLm model;
    readonly Tokenizer tokenizer;
    readonly int batchSize;
    readonly int? beginTokenId;
    readonly int contextLength;

    /// <param name="batchSize">Requests per forward pass.</param>
    /// <param name="beginTokenId">Token fed as context when a request's context is empty (lm-eval feeds end-of-text);
    /// with none, an empty context is an error because the first continuation token would have nothing to condition on.</param>
    public GptScorer(CausalLm model, Tokenizer tokenizer, int batchSize = 32, int? beginTokenId = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be positive");
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.beginTokenId = beginTokenId;
        contextLength = model.ContextLength;
    }

    /// <summary>lm-eval's <c>_encode_pair</c>: trailing whitespace of the context belongs to the continuation.</summary>
    internal static (string Context, string Continuation) SplitTrailingWhitespace(string context, string continuation)
    {
        int end = context.Length;
        while (end > 0 && char.IsWhiteSpace(context[end - 1])) end--;
        return end == context.Length ? (context, continuation) : (context[..end], context[end..] + continuation);
    }

    int[] EncodeContext(string context)
    {
        var ids = tokenizer.EncodeToIds(context);
        if (ids.Count > 0) return ids.ToArray();
        if (beginTokenId is int bos) return [bos];
        throw new ArgumentException("a request has an empty context and the scorer has no begin token; give the task a context or construct GptScorer with beginTokenId.");
    }

    /// <summary>
    /// Orders requests so that all continuations of one context sit next to each other and go into the same batch
    /// (lm-eval's <c>Collator</c> groups requests by context in <c>lm_eval/models/utils.py</c>); off by default so the
    /// order, and so the float rounding, of the existing tasks' batches stays as it was.  The context is encoded once per
    /// distinct context either way.
    /// </summary>
    public bool GroupByContext { get; init; }

    /// <summary>Token that starts a document for rolling log-likelihood: the begin token when there is one (lm-eval
    /// feeds end-of-text), else the last token of the document separator the harness's models are trained with
    /// (<see cref="Data.DataPipeline.Separator"/>), since those models have no end-of-text token.</summary>
    int DocumentStartToken()
    {
        if (beginTokenId is int bos) return bos;
        var ids = tokenizer.EncodeToIds(Data.DataPipeline.Separator);
        return ids.Count > 0 ? ids[^1] : throw new InvalidOperationException("the tokenizer encodes the document separator to no tokens.");
    }

    public IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        var results = new LoglikelihoodResult[requests.Count];
        var pending = new List<Window>();
        var contextIds = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < requests.Count; i++)
        {
            var (context, continuation) = SplitTrailingWhitespace(requests[i].Context, requests[i].Continuation);
            int bytes = EvaluationMetrics.Utf8Length(requests[i].Continuation);
            var cont = tokenizer.EncodeToIds(continuation).ToArray();
            if (cont.Length == 0)
            {
                results[i] = new LoglikelihoodResult(0, true, 0, bytes);
                continue;
            }
            if (cont.Length > contextLength)
                throw new ArgumentException($"continuation of request {i} has {cont.Length} tokens, more than the model's context length {contextLength}.");
            if (!contextIds.TryGetValue(context, out var ctx)) contextIds[context] = ctx = EncodeContext(context);
            if (!groupOf.TryGetValue(context, out int group)) groupOf[context] = group = groupOf.Count;
            var full = new int[ctx.Length + cont.Length];
            ctx.CopyTo(full, 0);
            cont.CopyTo(full, ctx.Length);
            // Inputs are the last min(len−1, T) tokens before the final one; targets are the same window shifted by one.
            int inputLength = Math.Min(full.Length - 1, contextLength);
            int start = full.Length - 1 - inputLength;
            pending.Add(new Window(i, group, full[start..(start + inputLength)], full[(start + 1)..(start + 1 + inputLength)], cont.Length));
            results[i] = new LoglikelihoodResult(0, true, cont.Length, bytes); // LogProb / IsGreedy filled below
        }
        if (GroupByContext)
        {
            // Groups longest first (by their longest member), each group's members together, longest first within it.
            var groupWidth = pending.GroupBy(w => w.Group).ToDictionary(g => g.Key, g => g.Max(w => w.Input.Length));
            pending.Sort((a, b) =>
                groupWidth[b.Group] != groupWidth[a.Group] ? groupWidth[b.Group].CompareTo(groupWidth[a.Group])
                : a.Group != b.Group ? a.Group.CompareTo(b.Group)
                : b.Input.Length != a.Input.Length ? b.Input.Length.CompareTo(a.Input.Length) : a.Index.CompareTo(b.Index));
        }
        else
            // Longest first, as lm-eval does (an out-of-memory shows up on the first batch); neighbours have similar lengths.
            pending.Sort((a, b) => b.Input.Length != a.Input.Length ? b.Input.Length.CompareTo(a.Input.Length) : a.Index.CompareTo(b.Index));
        foreach (var (window, sum, greedy) in ScoreWindows(pending))
            results[window.Index] = results[window.Index] with { LogProb = sum, IsGreedy = greedy };
        return results;
    }

    /// <summary>
    /// lm-eval's <c>loglikelihood_rolling</c> for the HuggingFace backend (<c>lm_eval/models/huggingface.py</c>): the text's
    /// tokens are cut into disjoint windows of at most T (the model's context length) predicted tokens by
    /// <c>get_rolling_token_windows(tokens, prefix_token, max_seq_len = T, context_len = 1)</c> and
    /// <c>make_disjoint_window</c> (<c>lm_eval/utils.py</c>).  The first window predicts tokens[0 : min(T, n)] from the
    /// document-start token followed by tokens[0 : min(T, n) − 1]; each later window predicts the next min(T, n − done)
    /// tokens, its input being the T tokens before its last target (so a short last window sees a full context).
    /// </summary>
    public IReadOnlyList<RollingLoglikelihoodResult> LogLikelihoodRolling(IReadOnlyList<string> texts)
    {
        int prefix = DocumentStartToken();
        int t = contextLength;
        var windows = new List<Window>();
        var tokenCounts = new int[texts.Count];
        var windowCounts = new int[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            var tokens = tokenizer.EncodeToIds(texts[i]).ToArray();
            int n = tokens.Length;
            tokenCounts[i] = n;
            if (n == 0) continue;
            int first = Math.Min(t, n);
            var input = new int[first];
            input[0] = prefix;
            Array.Copy(tokens, 0, input, 1, first - 1);
            windows.Add(new Window(i, i, input, tokens[..first], first));
            for (int predicted = first; predicted < n;)
            {
                int count = Math.Min(n - predicted, t);
                int end = predicted + count;
                windows.Add(new Window(i, i, tokens[(end - t - 1)..(end - 1)], tokens[(end - t)..end], count));
                predicted = end;
            }
        }
        var sums = new double[texts.Count];
        windows.Sort((a, b) => b.Input.Length != a.Input.Length ? b.Input.Length.CompareTo(a.Input.Length) : a.Index.CompareTo(b.Index));
        foreach (var (window, sum, _) in ScoreWindows(windows))
        {
            sums[window.Index] += sum;
            windowCounts[window.Index]++;
        }
        return Enumerable.Range(0, texts.Count).Select(i => new RollingLoglikelihoodResult(sums[i], tokenCounts[i], windowCounts[i])).ToArray();
    }

    /// <summary>One forward row: <paramref name="Input"/> and <paramref name="Target"/> (input shifted by one) of equal
    /// length; the last <paramref name="ScoredTokens"/> targets are scored.  <paramref name="Index"/> is the request,
    /// <paramref name="Group"/> its context.</summary>
    sealed record Window(int Index, int Group, int[] Input, int[] Target, int ScoredTokens);

    /// <summary>Runs windows in the given order, <see cref="batchSize"/> per forward pass, right-padded: summed log p and
    /// whether every scored target was the argmax.</summary>
    List<(Window Window, double Sum, bool Greedy)> ScoreWindows(List<Window> pending)
    {
        var output = new List<(Window, double, bool)>(pending.Count);
        RunInEvalMode(() =>
        {
            var device = ModelDevice();
            for (int offset = 0; offset < pending.Count; offset += batchSize)
            {
                var batch = pending.GetRange(offset, Math.Min(batchSize, pending.Count - offset));
                int rows = batch.Count, width = batch.Max(b => b.Input.Length);
                var x = new long[rows * width];
                // Only scored positions go through the output head (flat row·width + t).
                int scored = batch.Sum(b => b.ScoredTokens);
                var positions = new long[scored];
                var targets = new long[scored];
                for (int r = 0, p = 0; r < rows; r++)
                {
                    var w = batch[r];
                    for (int t = 0; t < w.Input.Length; t++) x[r * width + t] = w.Input[t];
                    for (int t = w.Input.Length - w.ScoredTokens; t < w.Input.Length; t++, p++)
                    {
                        positions[p] = r * width + t;
                        targets[p] = w.Target[t];
                    }
                }
                using var scope = NewDisposeScope();
                var hidden = model.Hidden(tensor(x, [rows, width]).to(device));                     // (B, T, C)
                var ys = tensor(targets).to(device).unsqueeze(-1);                                  // (M, 1)
                var logits = model.TokenLogits(model.Head(hidden.view(rows * width, -1).index_select(0, tensor(positions).to(device))))
                                  .to(ScalarType.Float32);                                          // (M, V): padding rows dropped
                // log p(target) = logit[target] − logsumexp(logits): avoids materialising a second (M, V) tensor.
                var tokenLogProb = logits.gather(-1, ys).squeeze(-1).Minus(logits.logsumexp(-1)).to(ScalarType.Float64).cpu(); // (M)
                var greedy = logits.argmax(-1).eq(ys.squeeze(-1)).cpu();                              // (M)
                var logProbValues = tokenLogProb.data<double>().ToArray();
                var greedyValues = greedy.data<bool>().ToArray();
                for (int r = 0, p = 0; r < rows; r++)
                {
                    int n = batch[r].ScoredTokens;
                    double sum = 0;
                    bool allGreedy = true;
                    for (int j = 0; j < n; j++, p++)
                    {
                        sum += logProbValues[p];
                        allGreedy &= greedyValues[p];
                    }
                    output.Add((batch[r], sum, allGreedy));
                }
            }
        });
        return output;
    }

    /// <summary>
    /// Greedy decoding, batched: each step runs one forward over the active rows (each a window of its last T tokens,
    /// right-padded) and appends the argmax at each row's last real position.  No key/value cache: the generations
    /// here are a few tokens long, so re-running the window is cheaper to get right than a cache.
    /// </summary>
    public IReadOnlyList<string> GenerateGreedy(IReadOnlyList<GenerationRequest> requests)
    {
        var outputs = new string[requests.Count];
        var order = Enumerable.Range(0, requests.Count)
            .Select(i => (Index: i, Context: EncodeContext(requests[i].Context)))
            .OrderByDescending(p => p.Context.Length).ThenBy(p => p.Index).ToList();
        RunInEvalMode(() =>
        {
            var device = ModelDevice();
            for (int offset = 0; offset < order.Count; offset += batchSize)
            {
                var batch = order.GetRange(offset, Math.Min(batchSize, order.Count - offset));
                var sequences = batch.Select(b => new List<int>(b.Context)).ToArray();
                var generated = batch.Select(_ => new List<int>()).ToArray();
                var text = batch.Select(_ => "").ToArray();
                var done = batch.Select(b => requests[b.Index].MaxNewTokens <= 0).ToArray();
                while (done.Contains(false))
                {
                    var active = Enumerable.Range(0, batch.Count).Where(r => !done[r]).ToArray();
                    var windows = active.Select(r => sequences[r].Skip(Math.Max(0, sequences[r].Count - contextLength)).ToArray()).ToArray();
                    int width = windows.Max(w => w.Length);
                    var x = new long[active.Length * width];
                    var last = new long[active.Length];
                    for (int a = 0; a < active.Length; a++)
                    {
                        for (int t = 0; t < windows[a].Length; t++) x[a * width + t] = windows[a][t];
                        last[a] = windows[a].Length - 1;
                    }
                    long[] next;
                    using (var scope = NewDisposeScope())
                    {
                        var hidden = model.Hidden(tensor(x, [active.Length, width]).to(device));         // (B, T, C)
                        var index = tensor(last).to(device).view(-1, 1, 1).expand(-1, 1, hidden.shape[2]);
                        next = model.TokenLogits(model.Head(hidden.gather(1, index).squeeze(1))).argmax(-1).cpu().data<long>().ToArray(); // (B)
                    }
                    for (int a = 0; a < active.Length; a++)
                    {
                        int r = active[a];
                        var request = requests[batch[r].Index];
                        sequences[r].Add((int)next[a]);
                        generated[r].Add((int)next[a]);
                        text[r] = tokenizer.Decode(generated[r]) ?? "";
                        int cut = FirstStop(text[r], request.StopStrings);
                        if (cut >= 0)
                        {
                            text[r] = text[r][..cut];
                            done[r] = true;
                        }
                        else if (generated[r].Count >= request.MaxNewTokens) done[r] = true;
                    }
                }
                for (int r = 0; r < batch.Count; r++) outputs[batch[r].Index] = text[r];
            }
        });
        return outputs;
    }

    /// <summary>Earliest index of any stop string (newline always counts), or −1.</summary>
    internal static int FirstStop(string text, IReadOnlyList<string> stops)
    {
        int best = text.IndexOf('\n', StringComparison.Ordinal);
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    Device ModelDevice() => model.parameters().First().device;

    void RunInEvalMode(Action body)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            body();
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
