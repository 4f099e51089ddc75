using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// Tensor ⊗ number with the Scalar kept alive across the native call.  `tensor * 2.0` converts 2.0 to a temporary
/// TorchSharp Scalar whose only reference ends when its native handle is read, so the finalizer can free it while
/// libtorch still uses it — seen here as an intermittent "Unknown scalar type" in the KD loss.  A `using` holds it.
/// </summary>
public static class ScalarOps
{
    public static Tensor Mul(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.mul(scalar);
    }

    public static Tensor Div(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.div(scalar);
    }

    public static Tensor Add(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar);
    }

    /// <summary>value − tensor.</summary>
    public static Tensor SubtractFrom(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.neg().add(scalar);
    }

    /// <summary>A tensor shaped like <paramref name="tensor"/> filled with <paramref name="value"/>.</summary>
    public static Tensor FullLike(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return full_like(tensor, scalar);
    }
}
