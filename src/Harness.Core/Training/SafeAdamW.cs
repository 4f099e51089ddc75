using Harness.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2) with exactly the update of
/// <c>torch.optim.AdamW</c> (single-tensor path, amsgrad off), written on <see cref="SafeOps"/> so that no temporary
/// TorchSharp Scalar reaches libtorch.  TorchSharp's own <c>optim.AdamW</c> builds several per parameter and step
/// (<c>mul_(beta1)</c>, <c>add_(grad, alpha: 1 − beta1)</c>, …) and failed under GC pressure.  Per parameter, step t:
/// <code>
/// p ← p · (1 − lr·λ)                                   decoupled weight decay (λ = the group's weight decay)
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)  bias correction; ε outside the root, as PyTorch
/// </code>
/// Parameters come in groups (e.g. decayed matrices and undecayed vectors); <see cref="LearningRate"/> sets every
/// group's rate, once per step for a schedule.  <see cref="Save"/>/<see cref="Load"/> keep the moments and step counts
/// in a safetensors file keyed by parameter name, for resume.
/// </summary>
public sealed class SafeAdamW : IDisposable
{
    /// <summary>Named parameters that share a weight decay.</summary>
    public sealed record Group(IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double WeightDecay);

    sealed class Slot(string name, Parameter parameter, double weightDecay)
    {
        public string Name { get; } = name;
        public Parameter Parameter { get; } = parameter;
        public double WeightDecay { get; } = weightDecay;
        public Tensor ExpAvg { get; set; } = zeros_like(parameter).DetachFromDisposeScope();
        public Tensor ExpAvgSq { get; set; } = zeros_like(parameter).DetachFromDisposeScope();
        public long Step { get; set; }
    }

    readonly List<Slot> slots = [];
    readonly Scalar beta1, beta2, oneMinusBeta1, oneMinusBeta2, eps;
    readonly double beta1Value, beta2Value;

    public SafeAdamW(IEnumerable<Group> groups, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        foreach (var group in groups)
            foreach (var (name, p) in group.Parameters)
            {
                if (slots.Any(s => s.Name == name)) throw new ArgumentException($"parameter '{name}' is in more than one group");
                slots.Add(new Slot(name, p, group.WeightDecay));
            }
        LearningRate = learningRate;
        beta1Value = beta1;
        beta2Value = beta2;
        this.beta1 = beta1.ToScalar();
        this.beta2 = beta2.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        this.eps = eps.ToScalar();
    }

    /// <summary>One group of every trainable parameter with the same weight decay.</summary>
    public static SafeAdamW ForAll(nn.Module module, double learningRate, double beta1, double beta2, double eps, double weightDecay) =>
        new([new Group(module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList(), weightDecay)],
            learningRate, beta1, beta2, eps);

    /// <summary>The learning rate of every group; set it before <see cref="Step"/> to follow a schedule.</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken (that of the first parameter; all parameters with gradients step together).</summary>
    public long StepCount => slots.Count == 0 ? 0 : slots[0].Step;

    /// <summary>Drops every gradient (set to none, as torch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var slot in slots)
        {
            using var grad = slot.Parameter.grad;
            if (grad is not null) slot.Parameter.grad = null;
        }
    }

    /// <summary>One AdamW update of every parameter that has a gradient (torch.optim.AdamW's order of operations).</summary>
    public void Step()
    {
        using var _ = no_grad();
        double lr = LearningRate;
        foreach (var slot in slots)
        {
            using var grad = slot.Parameter.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            slot.Step++;
            var p = slot.Parameter;
            if (slot.WeightDecay != 0) p.TimesInPlace(1 - lr * slot.WeightDecay);
            double biasCorrection1 = 1 - Math.Pow(beta1Value, slot.Step);
            double biasCorrection2 = 1 - Math.Pow(beta2Value, slot.Step);
            slot.ExpAvg.mul_(beta1).add_(grad, oneMinusBeta1);
            slot.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            var denom = slot.ExpAvgSq.sqrt().DividedBy(Math.Sqrt(biasCorrection2)).add_(eps, SafeOps.One);
            p.PlusQuotientInPlace(slot.ExpAvg, denom, -lr / biasCorrection1);
        }
    }

    const string ExpAvgKey = ".exp_avg", ExpAvgSqKey = ".exp_avg_sq", StepKey = ".step";

    /// <summary>Moments and step counts as safetensors: "{name}.exp_avg", "{name}.exp_avg_sq" (float, the parameter's shape), "{name}.step" (int64 [1]).</summary>
    public void Save(Stream stream)
    {
        var state = new Dictionary<string, Tensor>();
        try
        {
            foreach (var slot in slots)
            {
                state[slot.Name + ExpAvgKey] = slot.ExpAvg.detach().cpu().contiguous();
                state[slot.Name + ExpAvgSqKey] = slot.ExpAvgSq.detach().cpu().contiguous();
                state[slot.Name + StepKey] = tensor(new[] { slot.Step });
            }
            Safetensors.SaveStateDict(stream, state, leaveOpen: true);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote; refuses (listing every problem) a file of other parameters or shapes.</summary>
    public void Load(string path)
    {
        var stored = Safetensors.LoadStateDict(path);
        try
        {
            var problems = new List<string>();
            foreach (var slot in slots)
                foreach (var key in new[] { ExpAvgKey, ExpAvgSqKey, StepKey })
                {
                    long[] shape = key == StepKey ? [1] : slot.Parameter.shape;
                    if (!stored.TryGetValue(slot.Name + key, out var t))
                        problems.Add($"{path}: tensor '{slot.Name}{key}' is missing.");
                    else if (!t.shape.SequenceEqual(shape))
                        problems.Add($"{path}: tensor '{slot.Name}{key}' has shape [{string.Join(", ", t.shape)}], the parameter needs [{string.Join(", ", shape)}].");
                }
            var known = slots.SelectMany(s => new[] { s.Name + ExpAvgKey, s.Name + ExpAvgSqKey, s.Name + StepKey }).ToHashSet();
            problems.AddRange(stored.Keys.Where(k => !known.Contains(k)).Select(k => $"{path}: unexpected tensor '{k}' (saved from another model?)."));
            if (problems.Count > 0)
                throw new UserInputException($"{path}: optimiser state does not match the model; delete the resume folder to restart the unit from scratch.", problems);
            using var _ = no_grad();
            foreach (var slot in slots)
            {
                slot.ExpAvg.copy_(stored[slot.Name + ExpAvgKey]);
                slot.ExpAvgSq.copy_(stored[slot.Name + ExpAvgSqKey]);
                slot.Step = stored[slot.Name + StepKey].item<long>();
            }
        }
        finally
        {
            foreach (var t in stored.Values) t.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var slot in slots)
        {
            slot.ExpAvg.Dispose();
            slot.ExpAvgSq.Dispose();
        }
        slots.Clear();
        beta1.Dispose();
        beta2.Dispose();
        oneMinusBeta1.Dispose();
        oneMinusBeta2.Dispose();
        eps.Dispose();
    }
}
