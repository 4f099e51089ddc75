using TorchSharp;
using Harness.Modeling;
using Harness.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

/// <summary>
/// Sequence-level KD data (Kim &amp; Rush 2016, "Sequence-Level Knowledge Distillation"): the teacher samples text with
/// temperature and nucleus (top-p, Holtzman et al. 2020) sampling, seeded; students then train on it with plain CE.
/// Generation re-runs the full prefix each step (no KV cache), and <see cref="GenerationFlops"/> counts what was
/// actually spent: Σ_t t·C_fwd(t) per sequence — roughly T/2 times a KV-cached generator's cost; README says so.
/// </summary>
public static class SyntheticCorpus
{
    public sealed record Result(int[] Tokens, double GenerationFlops);

    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired (checked per generated token;
    /// nothing is kept: the corpus is written only when complete).</exception>
    public static Result Generate(Gpt teacher, TokenIds promptSource, long tokens, double temperature, double topP, int seed, int batchSize = 32, int promptLength = 4,
                                  CancellationToken cancellation = default)
    {
        teacher.eval();
        var device = teacher.parameters().First().device;
        var config = teacher.Config;
        using var generator = new TorchSharp.torch.Generator((ulong)seed, device);
        var rng = new Random(seed);
        var output = new List<int>((int)tokens);
        double flops = 0;
        using var _ = no_grad();
        using var temperatureScalar = temperature.ToScalar();   // kept alive across every native call that reads it
        while (output.Count < tokens)
        {
            using var scope = NewDisposeScope();
            var prompts = new long[batchSize * promptLength];
            for (int b = 0; b < batchSize; b++)
            {
                long start = rng.NextBelow(promptSource.Length - promptLength);
                for (int i = 0; i < promptLength; i++) prompts[b * promptLength + i] = promptSource[start + i];
            }
            var sequence = tensor(prompts, [batchSize, promptLength]).to(device);                  // (B, t)
            for (int t = promptLength; t < config.ContextLength; t++)
            {
                // One scope per generated token: only the growing sequence survives the step.  The output head runs at
                // the last position only (B×V logits, not B×t×V), as GptScorer does.
                cancellation.ThrowIfCancellationRequested();   // SIGTERM/Ctrl-C stop a long sampling pass within one token step
                using var step = NewDisposeScope();
                var hidden = teacher.Hidden(sequence);                                               // (B, t, C)
                var logits = teacher.Head(hidden[.., -1, ..]).div(temperatureScalar);                     // (B, V)
                flops += batchSize * t * ModelMath.ForwardFlopsPerToken(config, t);
                var next = SampleTopP(logits, topP, generator);                                     // (B, 1)
                var previous = sequence;
                sequence = cat([sequence, next], 1).MoveToOuterDisposeScope();
                previous.Dispose();
            }
            var generated = sequence[.., promptLength..].cpu().data<long>().ToArray();
            // Each sequence is a separate document: keep it contiguous, drop the prompt (it is corpus text).
            output.AddRange(generated.Select(x => (int)x));
        }
        return new Result(output.Take((int)tokens).ToArray(), flops);
    }

    /// <summary>Nucleus sampling (Holtzman et al. 2020): keep the smallest set of most likely tokens whose probability
    /// reaches p (Σ ≥ p), renormalise, sample.  p = 1 keeps every token.</summary>
    internal static Tensor SampleTopP(Tensor logits, double topP, Generator generator)
    {
        var probs = F.softmax(logits, -1);
        var (sorted, order) = probs.sort(-1, descending: true);
        if (topP < 1)
        {
            // A token is cut when the tokens before it already reach p; the one that crosses p stays.
            var drop = sorted.cumsum(-1).Minus(sorted).AtLeastMask(topP);
            sorted = sorted.FilledWhere(drop, 0);
        }
        sorted = sorted / sorted.sum(-1, keepdim: true);
        var choice = multinomial(sorted, 1, generator: generator); // (B, 1) index into sorted order
        return order.gather(-1, choice);
    }
}
