using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// Tensor arithmetic that never lets a temporary TorchSharp <see cref="Scalar"/> reach libtorch.
/// <para>A Scalar is freed by its finalizer.  One that TorchSharp creates on the fly — `tensor * 2.0` (number → Scalar),
/// `a + b` (Tensor.add(b) is add(b, alpha: 1)), add_(b), clamp_min(1e-12), masked_fill(mask, 0) — has no managed
/// reference left once its native handle has been read, so the GC may finalize it while libtorch still reads it:
/// "Expected false to be true … toFloat at c10/core/Scalar.h", "Unknown scalar type", or a wrong value
/// (dotnet/TorchSharp PR #1434 and #1496, unmerged).  Every helper here keeps its Scalars alive for the whole native
/// call: static readonly fields for constants, <c>using</c> for computed values.  BannedSymbols.txt makes the unsafe
/// members a build error and points here; tests/Harness.Tests/Stress proves the race and the fix.</para>
/// <para>Names are deliberately unlike TorchSharp's own (add/sub/mul/div) so the two cannot be confused.</para>
/// </summary>
public static class SafeOps
{
    /// <summary>alpha = 1 for add(other, alpha), kept alive for the process (an integer, so it also suits integer tensors).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>a + b (broadcasting).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a − b (broadcasting).</summary>
    public static Tensor Minus(this Tensor a, Tensor b)
    {
#pragma warning disable RS0030 // sub(Tensor) passes no Scalar in TorchSharp 0.107; banned elsewhere so this is its one spelling.
        return a.sub(b);
#pragma warning restore RS0030
    }

    /// <summary>a += b, in place; returns a.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary>a −= b, in place; returns a.</summary>
    public static Tensor MinusInPlace(this Tensor a, Tensor b)
    {
#pragma warning disable RS0030 // see Minus
        return a.sub_(b);
#pragma warning restore RS0030
    }

    /// <summary>a + alpha·b, in place; returns a.</summary>
    public static Tensor PlusScaledInPlace(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary>tensor · value.</summary>
    public static Tensor Times(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.mul(s);
    }

    /// <summary>tensor ·= value, in place; returns tensor.</summary>
    public static Tensor TimesInPlace(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.mul_(s);
    }

    /// <summary>tensor / value.</summary>
    public static Tensor DividedBy(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.div(s);
    }

    /// <summary>tensor + value.</summary>
    public static Tensor PlusScalar(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.add(s, One);
    }

    /// <summary>value − tensor.</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        using var negated = tensor.neg();
        return negated.add(s, One);
    }

    /// <summary>max(tensor, min), element-wise.</summary>
    public static Tensor AtLeast(this Tensor tensor, double min)
    {
        using var s = min.ToScalar();
        return tensor.clamp_min(s);
    }

    /// <summary>Boolean mask tensor &gt; value.</summary>
    public static Tensor GreaterThan(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.gt(s);
    }

    /// <summary>Boolean mask tensor ≥ value.</summary>
    public static Tensor AtLeastMask(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return tensor.ge(s);
    }

    /// <summary>tensor with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor FilledWhere(this Tensor tensor, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return tensor.masked_fill(mask, s);
    }

    /// <summary>A tensor shaped like <paramref name="tensor"/> filled with <paramref name="value"/>.</summary>
    public static Tensor FilledLike(this Tensor tensor, double value)
    {
        using var s = value.ToScalar();
        return full_like(tensor, s);
    }

    /// <summary>tensor + value · (t1 ⊙ t2), in place (addcmul_); returns tensor.</summary>
    public static Tensor PlusProductInPlace(this Tensor tensor, Tensor t1, Tensor t2, double value)
    {
        using var s = value.ToScalar();
        return tensor.addcmul_(t1, t2, s);
    }

    /// <summary>tensor + value · (t1 / t2), in place (addcdiv_); returns tensor.</summary>
    public static Tensor PlusQuotientInPlace(this Tensor tensor, Tensor t1, Tensor t2, double value)
    {
        using var s = value.ToScalar();
        return tensor.addcdiv_(t1, t2, s);
    }
}
