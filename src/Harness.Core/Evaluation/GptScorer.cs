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
/// (2·C·V FLOPs per position) is most of the forward cost.</item>
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

    public IReadOnlyList<LoglikelihoodResult> LogLikelihood(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        var results = new LoglikelihoodResult[requests.Count];
        var pending = new List<(int Index, int[] Input, int[] Target, int ContinuationTokens)>();
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
            var ctx = EncodeContext(context);
            var full = new int[ctx.Length + cont.Length];
            ctx.CopyTo(full, 0);
            cont.CopyTo(full, ctx.Length);
            // Inputs are the last min(len−1, T) tokens before the final one; targets are the same window shifted by one.
            int inputLength = Math.Min(full.Length - 1, contextLength);
            int start = full.Length - 1 - inputLength;
            pending.Add((i, full[start..(start + inputLength)], full[(start + 1)..(start + 1 + inputLength)], cont.Length));
            results[i] = new LoglikelihoodResult(0, true, cont.Length, bytes); // LogProb / IsGreedy filled below
        }

        // Longest first, as lm-eval does (an out-of-memory shows up on the first batch); neighbours have similar lengths.
        pending.Sort((a, b) => b.Input.Length != a.Input.Length ? b.Input.Length.CompareTo(a.Input.Length) : a.Index.CompareTo(b.Index));
        RunInEvalMode(() =>
        {
            var device = ModelDevice();
            for (int offset = 0; offset < pending.Count; offset += batchSize)
            {
                var batch = pending.GetRange(offset, Math.Min(batchSize, pending.Count - offset));
                int rows = batch.Count, width = batch[0].Input.Length;
                var x = new long[rows * width];
                // Only continuation positions are scored, so the output head runs on those alone (flat row·width + t).
                int scored = batch.Sum(b => b.ContinuationTokens);
                var positions = new long[scored];
                var targets = new long[scored];
                for (int r = 0, p = 0; r < rows; r++)
                {
                    var (_, input, target, n) = batch[r];
                    for (int t = 0; t < input.Length; t++) x[r * width + t] = input[t];
                    for (int t = input.Length - n; t < input.Length; t++, p++)
                    {
                        positions[p] = r * width + t;
                        targets[p] = target[t];
                    }
                }
                using var scope = NewDisposeScope();
                var hidden = model.Hidden(tensor(x, [rows, width]).to(device));                     // (B, T, C)
                var ys = tensor(targets).to(device).unsqueeze(-1);                                  // (M, 1)
                var logits = model.Head(hidden.view(rows * width, -1).index_select(0, tensor(positions).to(device)))
                                  .to(ScalarType.Float32);                                          // (M, V)
                // log p(target) = logit[target] − logsumexp(logits): avoids materialising a second (M, V) tensor.
                var tokenLogProb = logits.gather(-1, ys).squeeze(-1).Minus(logits.logsumexp(-1)).to(ScalarType.Float64).cpu(); // (M)
                var greedy = logits.argmax(-1).eq(ys.squeeze(-1)).cpu();                              // (M)
                var logProbValues = tokenLogProb.data<double>().ToArray();
                var greedyValues = greedy.data<bool>().ToArray();
                for (int r = 0, p = 0; r < rows; r++)
                {
                    int n = batch[r].ContinuationTokens;
                    double sum = 0;
                    bool allGreedy = true;
                    for (int j = 0; j < n; j++, p++)
                    {
                        sum += logProbValues[p];
                        allGreedy &= greedyValues[p];
                    }
                    int index = batch[r].Index;
                    results[index] = results[index] with { LogProb = sum, IsGreedy = allGreedy };
                }
            }
        });
        return results;
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
                        next = model.Head(hidden.gather(1, index).squeeze(1)).argmax(-1).cpu().data<long>().ToArray(); // (B)
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
