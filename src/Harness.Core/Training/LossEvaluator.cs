using Harness.Data;
using Harness.Modeling;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Training;

/// <summary>Held-out loss in nats per token and bits per UTF-8 byte.</summary>
public sealed record HeldOutLoss(double NatsPerToken, double BitsPerByte, long Tokens, long Bytes);

/// <summary>
/// Evaluates next-token cross-entropy on non-overlapping windows evenly spaced over a held-out stream.
/// Bits per byte = Σ nats / (ln 2 · Σ bytes of the predicted tokens), exact because every byte-level token has a fixed
/// byte length (Gao et al. 2020, "The Pile", §4: bpb is comparable across tokenizers).
/// </summary>
public sealed class LossEvaluator
{
    readonly TokenIds tokens;
    readonly int[] tokenByteLengths;
    readonly long[] windowStarts;
    readonly int contextLength;
    readonly int batchSize;

    public LossEvaluator(TokenIds tokens, int[] tokenByteLengths, int contextLength, long maxTokens, int batchSize = 32)
    {
        this.tokens = tokens;
        this.tokenByteLengths = tokenByteLengths;
        this.contextLength = contextLength;
        this.batchSize = batchSize;
        long available = (tokens.Length - 1) / contextLength;
        long wanted = maxTokens <= 0 ? available : Math.Min(available, Math.Max(1, maxTokens / contextLength));
        if (available < 1)
            throw new UserInputException($"validation stream has {tokens.Length} tokens, fewer than one context window ({contextLength + 1}).");
        double stride = (double)available / wanted;
        windowStarts = Enumerable.Range(0, (int)wanted).Select(i => (long)(Math.Floor(i * stride)) * contextLength).ToArray();
    }

    public long TokensPerEvaluation => windowStarts.Length * (long)contextLength;

    public HeldOutLoss Evaluate(CausalLm model)
    {
        bool wasTraining = model.training;
        model.eval();
        var device = model.parameters().First().device;
        double nats = 0;
        long bytes = 0;
        using (no_grad())
        {
            for (int i = 0; i < windowStarts.Length; i += batchSize)
            {
                using var scope = NewDisposeScope();
                var starts = windowStarts.Skip(i).Take(batchSize).ToArray();
                var x = new long[starts.Length * contextLength];
                var y = new long[starts.Length * contextLength];
                var window = new int[contextLength + 1];
                for (int b = 0; b < starts.Length; b++)
                {
                    tokens.CopyTo(starts[b], window); // one window at a time: a memory-mapped split is never loaded
                    for (int t = 0; t < contextLength; t++)
                    {
                        x[b * contextLength + t] = window[t];
                        int target = window[t + 1];
                        y[b * contextLength + t] = target;
                        bytes += tokenByteLengths[target];
                    }
                }
                var logits = model.call(tensor(x, [starts.Length, contextLength]).to(device));
                var loss = F.cross_entropy(logits.view(-1, logits.shape[2]), tensor(y).to(device), reduction: nn.Reduction.Sum);
                nats += loss.to_type(ScalarType.Float64).item<double>();
            }
        }
        if (wasTraining) model.train();
        long n = TokensPerEvaluation;
        return new HeldOutLoss(nats / n, nats / (Math.Log(2) * Math.Max(1, bytes)), n, bytes);
    }
}
