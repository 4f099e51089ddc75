using TorchSharp;

namespace Harness.Training;

/// <summary>Resolves --device auto|cpu|cuda|cuda:N to a torch device, with a clear error when CUDA is asked for but absent.</summary>
public static class DeviceSelector
{
    public static IReadOnlyList<string> ValidOptions { get; } = ["auto", "cpu", "cuda", "cuda:N"];

    public static torch.Device Resolve(string spec)
    {
        spec = spec.Trim().ToLowerInvariant();
        if (spec == "auto")
            return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (spec == "cpu")
            return torch.CPU;
        if (spec == "cuda" || spec.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (spec.Length > 4 && !int.TryParse(spec[5..], out index))
                throw new UserInputException($"--device: value '{spec}' is not a device; valid: {string.Join(", ", ValidOptions)}.");
            if (!torch.cuda.is_available())
                throw new UserInputException($"--device: '{spec}' was requested but CUDA is not available in this build " +
                    "(the default build uses TorchSharp-cpu; rebuild with -p:TorchBackend=cuda on a machine with an NVIDIA driver, see README \"CUDA\"), or use --device cpu.");
            if (index >= torch.cuda.device_count())
                throw new UserInputException($"--device: '{spec}' but only {torch.cuda.device_count()} CUDA device(s) exist.");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new UserInputException($"--device: value '{spec}' is not a device; valid: {string.Join(", ", ValidOptions)}.");
    }

    /// <summary>Sets intra-op threads (0 = leave libtorch's default).  Inter-op threads stay at libtorch's default.</summary>
    public static int ConfigureThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
        return torch.get_num_threads();
    }

    public static string Describe(torch.Device device) =>
        device.type == DeviceType.CUDA ? $"cuda:{device.index}" : $"cpu ({torch.get_num_threads()} threads)";
}
