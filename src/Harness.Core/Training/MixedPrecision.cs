using Harness.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// bf16 mixed-precision training (<c>training.precision: "bf16-mixed"</c>, README "Mixed precision"): the forward and
/// backward run on a bfloat16 copy of the model, while the weights the optimiser updates, the gradients it reads and
/// AdamW's moments stay float32 (Micikevicius et al. 2018, "Mixed Precision Training": an fp32 master copy of the
/// weights; bf16's 8-bit exponent, Kalamkar et al. 2019, makes loss scaling unnecessary).  Per optimiser step:
/// <see cref="LoadWeights"/> rounds the master weights into the copy; after each micro-batch's backward
/// <see cref="AccumulateGradients"/> adds the copy's gradients, widened to float32, to the master's and clears them.
/// Norms and the loss are computed in float32 as they are in fp32 training (RMSNorm upcasts itself; the trainer
/// upcasts the logits before the objective).
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    readonly CausalLm compute;
    readonly (Parameter Master, Parameter Compute)[] pairs;

    public MixedPrecision(CausalLm master, Device device)
    {
        compute = master.NewSameShape();
        compute.ConvertTo(ScalarType.BFloat16);
        compute.MoveTo(device);
        var byName = compute.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        pairs = master.named_parameters().Select(p => (p.parameter, byName[p.name])).ToArray();
    }

    /// <summary>The bfloat16 copy the forward and backward run on.</summary>
    public CausalLm Model => compute;

    /// <summary>Master (float32) weights → the bf16 copy, rounded to nearest even; its train/eval mode follows the master's.</summary>
    public void LoadWeights(bool training)
    {
        using var _ = no_grad();
        foreach (var (master, copy) in pairs) copy.copy_(master);
        compute.train(training);
    }

    /// <summary>Adds the copy's gradients, widened to float32, to the master's (creating them on the first micro-batch)
    /// and clears the copy's, so accumulation over micro-batches happens in float32.</summary>
    public void AccumulateGradients()
    {
        using var _ = no_grad();
        foreach (var (master, copy) in pairs)
        {
            using var scope = NewDisposeScope();
            var grad = copy.grad;
            if (grad is null) continue;
            var wide = grad.to_type(ScalarType.Float32);
            var current = master.grad;
            if (current is null) master.grad = wide;   // the parameter holds its own reference; the scope frees ours
            else current.add_(wide, SafeOps.One);
            copy.grad = null;
        }
    }

    public void Dispose() => compute.Dispose();
}
