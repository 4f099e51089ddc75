using Harness.Training;
using TorchSharp;

namespace Harness.Sweep;

/// <summary>
/// TensorBoard event files for one unit (TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>), x axis = training
/// tokens so units of different batch sizes line up.  Tags: train/loss (objective), train/ce (its cross-entropy part),
/// train/learning_rate, train/tokens_per_second, val/loss (nats/token), val/bpb (bits/byte).
/// W&amp;B reads them with <c>wandb sync --sync-tensorboard DIR</c>.
/// </summary>
public sealed class TensorBoardLog : IDisposable
{
    readonly TorchSharp.Modules.SummaryWriter writer;

    public TensorBoardLog(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        writer = torch.utils.tensorboard.SummaryWriter(directory);
        Directory = directory;
    }

    public string Directory { get; }

    public void Training(TrainingProgress p)
    {
        int x = Step(p.Tokens);
        writer.add_scalar("train/loss", (float)p.Loss, x);
        if (double.IsFinite(p.CrossEntropy)) writer.add_scalar("train/ce", (float)p.CrossEntropy, x);
        writer.add_scalar("train/learning_rate", (float)p.LearningRate, x);
        writer.add_scalar("train/tokens_per_second", (float)p.TokensPerSecond, x);
    }

    public void Validation(EvalPoint point)
    {
        int x = Step(point.Tokens);
        writer.add_scalar("val/loss", (float)point.ValLoss, x);
        writer.add_scalar("val/bpb", (float)point.ValBitsPerByte, x);
    }

    /// <summary>TensorBoard steps are 32-bit here; token counts beyond that are written in thousands.</summary>
    static int Step(long tokens) => tokens <= int.MaxValue ? (int)tokens : (int)(tokens / 1000);

    // TorchSharp's writer appends each event to the file as it is added; nothing is buffered.
    public void Dispose() { }
}
