using Harness.Config;
using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// The module for a harness-trained shape (<see cref="GptConfig"/>): <see cref="Gpt"/>, or <see cref="Llama"/> when
/// the shape's architecture is <c>"llama"</c>.  Students, <c>harness train</c> and harness checkpoints build models here.
/// </summary>
public static class StudentModel
{
    public static CausalLm Create(GptConfig shape, Device? device = null) =>
        shape.IsLlama ? Llama.ForTraining(shape, device) : new Gpt(shape, device);
}
