using System.Globalization;
using Harness.Results;
using static Harness.Reporting.ReportText;

namespace Harness.Reporting;

/// <summary>The "Provenance" section: the manifest's run summary (config, commit, device, versions, data, teacher, task versions), collapsed.</summary>
internal static class ProvenanceSection
{
    public static Section Build(ResultsFolder folder, RunManifest m)
    {
        var summary = new List<IReadOnlyList<string>>();
        void Row(string name, string? value) { if (!string.IsNullOrWhiteSpace(value)) summary.Add([name, value]); }
        Row("experiment", m.ExperimentName);
        Row("results folder", Path.GetFullPath(folder.Directory));
        Row("config hash", m.ConfigHash);
        Row("git commit", m.GitCommit);
        Row("device", m.Device);
        Row("threads", m.Threads?.ToString(CultureInfo.InvariantCulture));
        if (m.Versions is { } versions)
            foreach (var (name, value) in new[] { ("harness", versions.Harness), ("torchsharp", versions.Torchsharp), ("libtorch", versions.Libtorch), ("dotnet", versions.Dotnet) })
                Row($"version: {name}", value);
        Row("corpus", m.ConfigText("data.corpus"));
        Row("corpus hash", m.CorpusHash);
        Row("tokenizer", Join(m.ConfigText("data.tokenizer.kind"), m.ConfigText("data.tokenizer.vocab_size") is { } v ? $"vocab {v}" : null));
        Row("tokenizer hash", m.TokenizerHash);
        Row("data mix", m.ConfigText("data.mix"));
        Row("teacher", Join(m.Teacher?.Path, m.Teacher?.Params is { } tp ? $"{ReportFigures.Flops(tp)} params" : null,
                            m.Teacher?.Flops is { } tf ? $"{ReportFigures.Flops(tf)} pre-training FLOPs" : null));
        Row("teacher hash", m.Teacher?.Hash);
        Row("FLOP formula", m.FlopFormula);
        Row("task versions", m.TaskVersions.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(m.TaskVersions));
        Row("methods", m.ConfigText("methods"));
        Row("seeds", m.ConfigText("seeds"));
        Row("kd", m.ConfigText("kd"));
        Row("evaluation", m.ConfigText("evaluation"));
        Row("started (UTC)", m.StartedUtc);
        Row("finished (UTC)", m.FinishedUtc);
        var ok = folder.Runs.Count(r => r.Status == RunRowStatus.Ok);
        Row("units", $"{folder.Runs.Count} in runs.csv: {ok} ok, {folder.Runs.Count - ok} failed");
    return new Section("provenance", "Provenance",
        [new Para(Join(m.ConfigHash is { Length: > 0 } ch ? $"config {ch}" : null, m.GitCommit is { Length: > 0 } gc ? $"commit {gc}" : null, m.Device, $"{folder.Runs.Count} units ({ok} ok)") ?? ""),
         new Details($"Run summary ({summary.Count} fields)", [new TableBlock(new Table(["field", "value"], summary))]),
         new FileLink(ResultSchema.ManifestFile, "full provenance (manifest.json)")]);
    }
}
