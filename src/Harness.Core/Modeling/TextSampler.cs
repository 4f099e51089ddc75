using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Modeling;

/// <summary>
/// Autoregressive sampling from a GPT for <c>harness sample</c>: temperature 0 is greedy; otherwise softmax(z/τ)
/// restricted to the top-k logits (Fan et al. 2018) when k &gt; 0, sampled with a seeded generator.  The context is
/// the last T tokens (no KV cache: each step re-runs the window, fine for a few hundred tokens).  Rows of the head
/// beyond the tokenizer's size are never sampled (<see cref="CausalLm.TokenLogits"/>).
/// </summary>
public static class TextSampler
{
    public static int[] Continue(CausalLm model, IReadOnlyList<int> prompt, int maxNewTokens, double temperature, int topK, int seed)
    {
        model.eval();
        var device = model.parameters().First().device;
        using var generator = new TorchSharp.torch.Generator((ulong)seed, device);
        var tokens = prompt.Select(t => (long)t).ToList();
        using var _ = no_grad();
        for (int i = 0; i < maxNewTokens; i++)
        {
            using var scope = NewDisposeScope();
            var window = tokens.Skip(Math.Max(0, tokens.Count - model.ContextLength)).ToArray();
            var logits = model.TokenLogits(model.call(tensor(window, [1, window.Length]).to(device))[0, -1]); // (V): padding rows dropped
            long next;
            if (temperature <= 0) next = logits.argmax().item<long>();
            else
            {
                var scaled = logits.DividedBy(temperature);
                if (topK > 0 && topK < scaled.shape[0])
                {
                    var (values, indices) = scaled.topk(topK);
                    var pick = multinomial(F.softmax(values, 0), 1, generator: generator);
                    next = indices[pick].item<long>();
                }
                else next = multinomial(F.softmax(scaled, 0), 1, generator: generator).item<long>();
            }
            tokens.Add(next);
        }
        return tokens.Skip(prompt.Count).Select(t => (int)t).ToArray();
    }
}
