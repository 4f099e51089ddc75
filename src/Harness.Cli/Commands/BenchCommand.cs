using System.ComponentModel;
using Harness.Modeling;
using Harness.Perf;
using Harness.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.Config;

namespace Harness.Cli.Commands;

public sealed class BenchSettings : CommandSettings
{
    [CommandOption("--preset <NAME>")]
    [Description("Model preset to time (see `harness validate` errors for the list).")]
    [DefaultValue("small")]
    public string Preset { get; init; } = "small";

    [CommandOption("--vocab <N>")] [DefaultValue(512)] public int Vocab { get; init; } = 512;
    [CommandOption("--batch <N>")] [DefaultValue(32)] public int Batch { get; init; } = 32;
    [CommandOption("--steps <N>")] [DefaultValue(30)] public int Steps { get; init; } = 30;
    [CommandOption("--warmup <N>")] [DefaultValue(5)] public int Warmup { get; init; } = 5;
    [CommandOption("--threads <N>")] [DefaultValue(2)] public int Threads { get; init; } = 2;
    [CommandOption("--device <DEVICE>")] [DefaultValue("cpu")] public string Device { get; init; } = "cpu";
    [CommandOption("--untied")] [Description("Untied output head (what ../shared/perf/bench_torch.py uses).")] public bool Untied { get; init; }

    [CommandOption("--kd")]
    [Description("Also time logit-KD steps from a teacher-tiny teacher: online teacher vs the top-k logit cache.")]
    public bool Kd { get; init; }

    [CommandOption("--top-k <K>")] [DefaultValue(32)] public int TopK { get; init; } = 32;

    [CommandOption("--rounds <N>")]
    [Description("Repeat the measurement N times (alternating with PyTorch under --compare-pytorch) and report medians; these machines are noisy.")]
    [DefaultValue(1)]
    public int Rounds { get; init; } = 1;

    [CommandOption("--breakdown")]
    [Description("Also time the parts of a step alone: forward, backward, AdamW, all linear-layer GEMMs, attention, the rest.")]
    public bool Breakdown { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json: the measured numbers as one JSON document on standard output (messages to standard error).")]
    public string? Format { get; init; }

    [CommandOption("--cache-fill <DIR>")]
    [Description("Instead of training steps: the teacher-logit cache fill rate of the Hugging Face model folder DIR (tokens/s; peak RSS with /usr/bin/time -v).")]
    public string? CacheFill { get; init; }

    [CommandOption("--dtype <DTYPE>")]
    [Description("--cache-fill: inference dtype fp32 (default), bf16 or fp16.")]
    public string Dtype { get; init; } = "fp32";

    [CommandOption("--fill-windows <N>")]
    [Description("--cache-fill: windows to fill after one warm-up batch (default 32); --batch windows per forward.")]
    public int FillWindows { get; init; } = 32;

    [CommandOption("--compare-pytorch")]
    [Description("Also run ../shared/perf/bench_torch.py (or HARNESS_TORCH_BENCH) with Debian's /usr/bin/python3 and print the ratio.")]
    public bool ComparePytorch { get; init; }
}

[Description("Time training steps: tokens/s and achieved fraction of this machine's measured fp32 matmul throughput.")]
public sealed class BenchCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        if (settings.CacheFill is not null) return CacheFill(settings);
        var problems = new List<string>();
        if (!GptConfig.Presets.TryGetValue(settings.Preset, out var preset))
            problems.Add($"--preset: value '{settings.Preset}' is not a preset; valid: {string.Join(", ", GptConfig.Presets.Keys)}.");
        foreach (var (option, value) in new[] { ("--vocab", settings.Vocab), ("--batch", settings.Batch), ("--steps", settings.Steps), ("--rounds", settings.Rounds), ("--top-k", settings.TopK) })
            if (value < 1) problems.Add($"{option}: value {value} must be a positive integer.");
        if (settings.Warmup < 0) problems.Add($"--warmup: value {settings.Warmup} must be 0 or more.");
        if (problems.Count > 0 || preset is null) throw new UserInputException("Invalid bench options.", problems);
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var config = preset with { VocabSize = settings.Vocab, TieEmbeddings = !settings.Untied };
        // Rounds alternate harness and PyTorch so both see the same machine state; medians are reported.
        var ours = new List<StepBenchmarkResult>();
        var theirs = new List<PytorchBenchResult>();
        for (int round = 0; round < settings.Rounds; round++)
        {
            double matmul = StepBenchmark.MatmulGflops(device: device);
            ours.Add(StepBenchmark.Run(config, settings.Batch, settings.Steps, settings.Warmup, device, matmul));
            if (settings.ComparePytorch && RunPytorch(settings, config) is { } result) theirs.Add(result);
        }
        var r = ours.OrderBy(o => o.TokensPerSecond).ElementAt(ours.Count / 2);
        double mm = r.MatmulGflops;
        PytorchBenchResult? py = theirs.Count > 0 ? theirs.OrderBy(t => t.TokensPerSecond).ElementAt(theirs.Count / 2) : null;
        if (format == OutputFormat.Json)
        {
            var teacherJ = GptConfig.Presets["teacher-tiny"] with { VocabSize = settings.Vocab, ContextLength = config.ContextLength, TieEmbeddings = !settings.Untied };
            var kdJ = settings.Kd ? StepBenchmark.RunKd(config, teacherJ, settings.Batch, settings.Steps, settings.TopK, Path.Combine(RepositoryPaths.Root, ".cache", "bench"), device) : null;
            Output.WriteJson(new
            {
                settings.Preset, Model = config, settings.Batch, settings.Steps, settings.Rounds, Device = DeviceSelector.Describe(device),
                Harness = r, HarnessRounds = ours.Select(o => o.TokensPerSecond), Pytorch = py, PytorchRounds = theirs.Select(t => t.TokensPerSecond),
                Kd = kdJ,
            });
            return 0;
        }
        var rounds = settings.Rounds > 1 ? $", median of {settings.Rounds} rounds" : "";
        var table = new Table().Title($"harness bench: {settings.Preset} (d{config.DModel}, L{config.Layers}, H{config.Heads}, T{config.ContextLength}, V{config.VocabSize}), batch {settings.Batch}, {DeviceSelector.Describe(device)}{rounds}")
            .AddColumns("", "harness (TorchSharp)");
        if (py is not null) table.AddColumn("PyTorch eager").AddColumn("ratio");
        string Ratio(double a, double? b) => b is > 0 ? (a / b.Value).ToString("F2") + "×" : "";
        table.AddRow(new[] { "tokens/s", r.TokensPerSecond.ToString("N0") }.Concat(py is null ? [] : new[] { py.TokensPerSecond.ToString("N0"), Ratio(r.TokensPerSecond, py.TokensPerSecond) }).ToArray());
        if (py is not null && theirs.Count == ours.Count && ours.Count > 1)
        {
            var perRound = ours.Zip(theirs, (o, t) => o.TokensPerSecond / t.TokensPerSecond).Order().ToList();
            table.AddRow("per-round ratio (min … max)", "", "", $"{perRound[0]:F2}× … {perRound[^1]:F2}×");
        }
        table.AddRow(new[] { "step ms (median)", r.StepMsMedian.ToString("F1") }.Concat(py is null ? [] : new[] { py.StepMs.ToString("F1"), "" }).ToArray());
        table.AddRow(new[] { "achieved GFLOP/s", r.AchievedGflops.ToString("F1") }.Concat(py is null ? [] : new[] { py.Gflops.ToString("F1"), "" }).ToArray());
        table.AddRow(new[] { "matmul 2048³ GFLOP/s", mm.ToString("F1") }.Concat(py is null ? [] : new[] { py.MatmulGflops.ToString("F1"), Ratio(mm, py.MatmulGflops) }).ToArray());
        table.AddRow(new[] { "fraction of matmul", r.FractionOfMatmul.ToString("P1") }.Concat(py is null ? [] : new[] { (py.Gflops / py.MatmulGflops).ToString("P1"), "" }).ToArray());
        table.AddRow(new[] { "RSS MB after warm-up / at end / peak", $"{r.RssAfterWarmupMb:F0} / {r.RssEndMb:F0} / {r.PeakRssMb:F0}" }.Concat(py is null ? [] : new[] { "", "" }).ToArray());
        AnsiConsole.Write(table);
        if (settings.Kd)
        {
            var teacher = GptConfig.Presets["teacher-tiny"] with { VocabSize = settings.Vocab, ContextLength = config.ContextLength, TieEmbeddings = !settings.Untied };
            var kd = StepBenchmark.RunKd(config, teacher, settings.Batch, settings.Steps, settings.TopK, Path.Combine(RepositoryPaths.Root, ".cache", "bench"), device);
            var kdTable = new Table().Title($"logit KD from teacher-tiny (d{teacher.DModel}, L{teacher.Layers}), top-k {settings.TopK}").AddColumns("", "tokens/s");
            kdTable.AddRow("online teacher", kd.OnlineTokensPerSecond.ToString("N0"));
            kdTable.AddRow("cached teacher (filled cache)", kd.CachedTokensPerSecond.ToString("N0"));
            kdTable.AddRow("speed-up cached / online", kd.Speedup.ToString("F2") + "×");
            kdTable.AddRow("cache fill rate (one-off)", kd.CacheFillTokensPerSecond.ToString("N0"));
            kdTable.AddRow("cache bytes per token", kd.CacheBytesPerToken.ToString());
            AnsiConsole.Write(kdTable);
        }
        if (settings.Breakdown)
        {
            var parts = StepBenchmark.Breakdown(config, settings.Batch, Math.Max(5, settings.Steps / 3), device);
            double full = parts[0].Milliseconds;
            var breakdown = new Table().Title("where a training step goes (each part timed alone, median)").AddColumns("part", "ms", "share of step");
            foreach (var part in parts) breakdown.AddRow(part.Name, part.Milliseconds.ToString("F1"), (part.Milliseconds / full).ToString("P0"));
            AnsiConsole.Write(breakdown);
            double tokens = (double)settings.Batch * config.ContextLength;
            AnsiConsole.MarkupLine($"GEMM floor: {tokens / (parts[4].Milliseconds / 1000):N0} tokens/s if everything but the linear-layer matmuls were free; GEMMs + attention: {tokens / ((parts[4].Milliseconds + parts[5].Milliseconds) / 1000):N0} tokens/s.");
        }
        return 0;
    }

    static readonly Dictionary<string, TorchSharp.torch.ScalarType> Dtypes = new()
    {
        ["fp32"] = TorchSharp.torch.ScalarType.Float32, ["bf16"] = TorchSharp.torch.ScalarType.BFloat16, ["fp16"] = TorchSharp.torch.ScalarType.Float16,
    };

    static int CacheFill(BenchSettings settings)
    {
        var problems = new List<string>();
        if (!Dtypes.TryGetValue(settings.Dtype, out var dtype)) problems.Add($"--dtype: value '{settings.Dtype}' is not a dtype; valid: {string.Join(", ", Dtypes.Keys)}.");
        foreach (var (option, value) in new[] { ("--batch", settings.Batch), ("--fill-windows", settings.FillWindows), ("--top-k", settings.TopK) })
            if (value < 1) problems.Add($"{option}: value {value} must be a positive integer.");
        var folder = RepositoryPaths.ResolveInput(settings.CacheFill!);
        if (!ModelFolder.IsHuggingFace(folder)) problems.Add($"--cache-fill: {folder} is not a Hugging Face model folder (config.json with \"architectures\").");
        if (problems.Count > 0) throw new UserInputException("Invalid bench options.", problems);
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        DeviceSelector.ConfigureThreads(settings.Threads);
        var device = DeviceSelector.Resolve(settings.Device);
        var r = CacheFillBenchmark.Run(folder, dtype, settings.Batch, settings.FillWindows, settings.TopK, Path.Combine(RepositoryPaths.Root, ".cache", "bench"), device);
        if (format == OutputFormat.Json) { Output.WriteJson(r); return 0; }
        var table = new Table().Title($"teacher-logit cache fill: {folder} ({r.Parameters:N0} parameters, {settings.Dtype}), {r.Batch} × {r.Window} tokens per forward, top-k {settings.TopK}, {DeviceSelector.Describe(device)}")
            .AddColumns("", "value");
        table.AddRow("tokens/s", r.TokensPerSecond.ToString("N0"));
        table.AddRow("windows filled (timed)", r.Windows.ToString("N0"));
        table.AddRow("load s", r.LoadSeconds.ToString("F1"));
        table.AddRow("peak working set MB", r.PeakRssMb.ToString("F0"));
        AnsiConsole.Write(table);
        return 0;
    }

    static PytorchBenchResult? RunPytorch(BenchSettings s, GptConfig c)
    {
        var script = Environment.GetEnvironmentVariable("HARNESS_TORCH_BENCH") ?? RepositoryPaths.Resolve("../shared/perf/bench_torch.py");
        var outcome = PytorchReference.Run(script, c, s.Batch, s.Steps, s.Warmup, s.Threads);
        if (outcome.Skipped is { } why) AnsiConsole.MarkupLine($"[yellow]PyTorch comparison skipped[/]: {Markup.Escape(why)}");
        foreach (var failure in outcome.Failures) AnsiConsole.MarkupLine($"[yellow]PyTorch run failed[/]: {Markup.Escape(failure)}");
        return outcome.Result;
    }
}
