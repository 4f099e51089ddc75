using System.Text.Json;
using Harness.Results;
using Harness.IO;

namespace Harness.Sweep;

/// <summary>
/// The sweep's writer of a results folder: one sub-folder per finished unit (units/KEY/row.json, curve.json,
/// evals.json), from which the CSVs are regenerated atomically after every unit, and <see cref="Merge(IReadOnlyList{string}, string)"/>.
/// Unit files make shards mergeable and re-runs skip finished work.  Every path comes from <see cref="Layout"/>
/// (Results' <see cref="RunFolderLayout"/>); the finished folder is read back with <see cref="ResultsFolder"/>.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string directory) => Layout = new RunFolderLayout(directory);

    /// <summary>Every path of this folder.</summary>
    public RunFolderLayout Layout { get; }
    public string Directory => Layout.Directory;
    public string UnitDirectory(string key) => Layout.Unit(key).Directory;
    public string ResumeDirectory(string key) => Layout.Unit(key).Resume;
    public string ModelDirectory(string key) => Layout.Unit(key).Model;
    public IReadOnlyList<string> FinishedUnitKeys => UnitKeys().ToList();

    public List<EvalRow> ReadUnitEvals(string key) => ReadJson<List<EvalRow>>(Layout.Unit(key).Evals);
    public RunRow ReadUnitRow(string key) => ReadJson<RunRow>(RowPath(key));

    /// <summary>Replaces a finished unit's benchmark rows (used by `harness eval` on a results folder).</summary>
    public void WriteUnitEvals(string key, IReadOnlyList<EvalRow> evals) =>
        AtomicFile.WriteAllText(Layout.Unit(key).Evals, JsonSerializer.Serialize(evals, HarnessJson.Options));
    string RowPath(string key) => Layout.Unit(key).Row;

    /// <summary>True when the unit has a row (ok or failed).</summary>
    public bool HasRow(string key) => File.Exists(RowPath(key));

    /// <summary>True when the unit finished with status ok; failed units are retried by the next run.</summary>
    public bool IsFinished(string key) => HasRow(key) && TryReadRow(key)?.Status == RunRowStatus.Ok;

    public RunRow? TryReadRow(string key)
    {
        try { return ReadUnitRow(key); }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }

    public void WriteUnit(RunRow row, IReadOnlyList<CurveRow> curve, IReadOnlyList<EvalRow> evals)
    {
        var unit = Layout.Unit(row.UnitKey);
        AtomicFile.WriteAllText(unit.Curve, JsonSerializer.Serialize(curve, HarnessJson.Options));
        AtomicFile.WriteAllText(unit.Evals, JsonSerializer.Serialize(evals, HarnessJson.Options));
        // row.json last: its presence marks the unit finished.
        FaultInjection.At(FaultInjection.Points.UnitFilesWritten);
        AtomicFile.WriteAllText(RowPath(row.UnitKey), JsonSerializer.Serialize(row, HarnessJson.Options));
    }

    /// <summary>Held while the tables or the manifest are rewritten, so concurrent processes never interleave a rewrite.</summary>
    public FileLock LockTables() => FileLock.Acquire(Layout.TablesLock);

    /// <summary>Removes temp files and folders left by killed processes (never a live process's).</summary>
    public int RemoveStaleTemps() => TempFiles.RemoveStale(Directory);

    public void WriteTeacherEvals(IReadOnlyList<EvalRow> evals) =>
        AtomicFile.WriteAllText(Layout.TeacherEvals, JsonSerializer.Serialize(evals, HarnessJson.Options));

    IEnumerable<string> UnitKeys() => Layout.UnitFolderKeys().Where(HasRow);

    static T ReadJson<T>(string path) => JsonSerializer.Deserialize<T>(File.ReadAllText(path), HarnessJson.Options)!;

    /// <summary>Rewrites runs.csv, curves.csv and evals.csv from the unit files, in unit order.  The three are serialised
    /// first and written only when the filesystem has room for all of them plus <paramref name="alsoWriting"/> bytes (the
    /// manifest that follows), so a nearly full disk refuses before any of the set is replaced.</summary>
    public void RewriteTables(IReadOnlyList<string>? order = null, long alsoWriting = 0)
    {
        using var tableLock = LockTables();
        var keys = UnitKeys().ToList();
        if (order is not null) keys = keys.OrderBy(k => order.ToList().IndexOf(k) is var i && i < 0 ? int.MaxValue : i).ThenBy(k => k, StringComparer.Ordinal).ToList();
        var runs = keys.Select(k => ReadJson<RunRow>(RowPath(k))).ToList();
        var curves = keys.SelectMany(k => ReadJson<List<CurveRow>>(Layout.Unit(k).Curve)).ToList();
        var teacherEvalsPath = Layout.TeacherEvals;
        var evals = (File.Exists(teacherEvalsPath) ? ReadJson<List<EvalRow>>(teacherEvalsPath) : [])
            .Concat(keys.SelectMany(k => ReadJson<List<EvalRow>>(Layout.Unit(k).Evals))).ToList();
        var runsBytes = ResultTables.Serialize(runs);
        var curvesBytes = ResultTables.Serialize(curves);
        var evalsBytes = ResultTables.Serialize(evals);
        // A temp copy of each file exists next to the old one until its rename: the new bytes must fit, all of them.
        DiskSpace.Require(Layout.Runs, runsBytes.Length + curvesBytes.Length + evalsBytes.Length + alsoWriting,
            $"{ResultSchema.RunsFile}, {ResultSchema.CurvesFile}, {ResultSchema.EvalsFile}{(alsoWriting > 0 ? " and " + ResultSchema.ManifestFile : "")} (written as one set; none was replaced)");
        AtomicFile.WriteAllBytes(Layout.Runs, runsBytes);
        FaultInjection.At(FaultInjection.Points.TablesWrite);
        AtomicFile.WriteAllBytes(Layout.Curves, curvesBytes);
        AtomicFile.WriteAllBytes(Layout.Evals, evalsBytes);
    }

    /// <summary>Copies finished units of other folders of the same config in; refuses folders of another config.</summary>
    public static RunFolder Merge(IReadOnlyList<string> sources, string destination) => Merge(sources, destination, out _);

    /// <summary>As <see cref="Merge(IReadOnlyList{string}, string)"/>; <paramref name="warnings"/> names shards of an
    /// I/N split that none of the sources holds.  The merged folder gets its own manifest (shard null, merged_from).</summary>
    public static RunFolder Merge(IReadOnlyList<string> sources, string destination, out IReadOnlyList<string> warnings)
    {
        var problems = new List<string>();
        var shards = new List<(string Source, string? Shard)>();
        RunManifest? firstManifest = null;
        string? hash = null;
        foreach (var source in sources)
        {
            var manifestPath = new RunFolderLayout(source).Manifest;
            var manifest = RunManifestFile.Read(source);
            if (manifest is null) { problems.Add($"{source}: no {ResultSchema.ManifestFile}; is this a results folder written by `harness run`?"); continue; }
            firstManifest ??= manifest;
            shards.Add((source, manifest.Shard));
            var h = manifest.ConfigHash;
            hash ??= h;
            if (h != hash) problems.Add($"{manifestPath}: config_hash {h} differs from {hash} (first folder); only shards of the same config can be merged.");
        }
        if (problems.Count > 0) throw new UserInputException("cannot merge these results folders.", problems);
        var target = new RunFolder(destination);
        System.IO.Directory.CreateDirectory(destination);
        foreach (var source in sources)
        {
            var from = new RunFolder(source);
            foreach (var key in from.UnitKeys())
            {
                if (target.IsFinished(key) && Path.GetFullPath(source) != Path.GetFullPath(destination)) continue;
                // row.json last (ResultFiles' order): its presence marks the unit finished.
                foreach (var (src, dest) in from.Layout.Unit(key).ResultFiles.Zip(target.Layout.Unit(key).ResultFiles))
                    if (Path.GetFullPath(src) != Path.GetFullPath(dest))
                        AtomicFile.WriteAllBytes(dest, File.ReadAllBytes(src));
            }
            var (teacherSrc, teacherDst) = (from.Layout.TeacherEvals, target.Layout.TeacherEvals);
            if (File.Exists(teacherSrc) && !File.Exists(teacherDst)) AtomicFile.WriteAllBytes(teacherDst, File.ReadAllBytes(teacherSrc));
        }
        var missing = new List<string>();
        foreach (var n in shards.Where(x => x.Shard is not null).Select(x => SweepPlan.ParseShard(x.Shard!).Count).Distinct())
            for (int i = 1; i <= n; i++)
                if (!shards.Any(x => x.Shard == $"{i}/{n}")) missing.Add($"shard {i}/{n} is missing: none of the folders was written by `harness run --shard {i}/{n}`; its units have no rows.");
        warnings = missing;
        RunManifestFile.Write(destination, firstManifest! with
        {
            Shard = null,
            MergedFrom = shards.Select(x => new MergedSource { Path = Path.GetFullPath(x.Source), Shard = x.Shard }).ToList(),
            Units = target.UnitKeys().Count(),
            MissingShards = missing.Select(m => m.Split(' ')[1]).ToList(),
            FinishedUtc = missing.Count == 0 ? DateTime.UtcNow.ToString("O") : null,
        });
        target.RewriteTables();
        return target;
    }
}
