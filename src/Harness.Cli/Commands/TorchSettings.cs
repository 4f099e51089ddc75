using System.ComponentModel;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

/// <summary>Options shared by every command that runs a model.</summary>
public abstract class TorchSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("auto | cpu | cuda | cuda:N (auto picks CUDA when available).")]
    [DefaultValue("auto")]
    public string Device { get; init; } = "auto";

    [CommandOption("--threads <N>")]
    [Description("CPU threads for libtorch (0 = libtorch default).")]
    [DefaultValue(0)]
    public int Threads { get; init; }
}
