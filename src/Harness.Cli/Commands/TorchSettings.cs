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

/// <summary>Options shared by the commands that report bootstrap intervals.</summary>
public abstract class BootstrapSettings : CommandSettings
{
    [CommandOption("--resamples <N>")]
    [Description("Bootstrap resamples (default 200; 0 skips intervals; use 1000+ for intervals you report).")]
    public int Resamples { get; init; } = 200;

    [CommandOption("--seed <S>")]
    [Description("Bootstrap seed (default 0).")]
    public int Seed { get; init; }
}
