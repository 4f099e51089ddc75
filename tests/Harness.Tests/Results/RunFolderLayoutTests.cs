using Harness.Estimation;
using Harness.Reporting;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;

namespace Harness.Tests.Results;

/// <summary><see cref="RunFolderLayout"/> is the one owner of a run folder's paths: what the writers put there is what
/// it names, and the executors that still build a path themselves agree with it.</summary>
public class RunFolderLayoutTests
{
    [Fact]
    public void Paths_the_executors_and_the_report_build_agree_with_the_layout()
    {
        using var tmp = new TempDirectory();
        var folder = new RunFolder(tmp.Path);
        var layout = folder.Layout;
        Assert.Equal(layout.Claim("k1"), UnitClaim.PathFor(tmp.Path, "k1"));
        Assert.Equal(layout.Unit("k1").Heartbeat, UnitHeartbeat.PathFor(folder, "k1"));
        Assert.Equal(layout.Plan, Path.Combine(tmp.Path, RunPlan.FileName));
        Assert.Equal(layout.SlurmSubmissions, SlurmSubmission.PathIn(tmp.Path));
        Assert.Equal(layout.Unit("trunk").Fork(240), WsdDesign.ForkDirectory(folder, "trunk", 240));
        Assert.Equal(layout.Unit("k1").Resume, folder.ResumeDirectory("k1"));
        Assert.Equal(layout.Unit("k1").Model, folder.ModelDirectory("k1"));
        Assert.Equal(layout.LmEvalResults, Path.Combine(tmp.Path, LmEvalResults.FileName));
        Assert.Equal(layout.Figures, Path.Combine(tmp.Path, ReportWriter.FiguresFolder));
        Assert.Equal(layout.ReportMarkdown, Path.Combine(tmp.Path, ReportWriter.MarkdownFile));
        Assert.Equal(layout.TensorBoardRun("logit-kd", "pico", "78k", 3), Path.Combine(tmp.Path, "tensorboard", "logit-kd-pico-78k-seed3"));
        Assert.Throws<UserInputException>(() => layout.TensorBoardRun("../x", "pico", "78k", 1));
    }

    [Fact]
    public void Every_file_the_sweep_merge_and_estimator_write_is_a_path_the_layout_names()
    {
        using var tmp = new TempDirectory();
        var shard = new RunFolder(Path.Combine(tmp.Path, "shard"));
        foreach (var (key, seed) in new[] { ("u-b", 2), ("u-a", 1) })
            shard.WriteUnit(new RunRow { UnitKey = key, Method = "scratch", Student = "s", Budget = "b", Seed = seed, Status = RunRowStatus.Ok, FlopsStudentTrain = 10 * seed },
                [new CurveRow { UnitKey = key, Method = "scratch", Student = "s", Budget = "b", Seed = seed, Step = 1, FlopsStudentTrain = 10 * seed, IsFinal = true }], []);
        shard.WriteTeacherEvals([]);
        RunManifestFile.Write(shard.Directory, new RunManifest { Experiment = "x", ConfigHash = "abc" });
        shard.RewriteTables();

        var merged = RunFolder.Merge([shard.Directory], Path.Combine(tmp.Path, "merged"));
        foreach (var folder in new[] { shard, merged })
        {
            var layout = folder.Layout;
            var named = new HashSet<string>(
                [layout.Manifest, layout.TeacherEvals, .. layout.SweepTables,
                 .. new[] { "u-a", "u-b" }.SelectMany(k => layout.Unit(k).ResultFiles)], StringComparer.Ordinal);
            var written = Directory.GetFiles(layout.Directory, "*", SearchOption.AllDirectories)
                                   .Where(f => f != layout.TablesLock).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(named.Order(), written.Order());
            Assert.Equal(["u-a", "u-b"], layout.UnitFolderKeys());
            var read = ResultsFolder.Load(layout.Directory, withEstimates: false);
            Assert.Equal(["u-a", "u-b"], read.Runs.Select(r => r.UnitKey));
            Assert.Equal(new[] { layout.Multipliers, layout.Summary, layout.Fits }.Select(Path.GetFileName), read.Missing.Skip(read.Missing.Count - 3));
        }
        Assert.Equal(File.ReadAllBytes(shard.Layout.Runs), File.ReadAllBytes(merged.Layout.Runs));
    }

    [Fact]
    public void One_flop_breakdown_goes_from_the_rows_to_the_estimator_unchanged()
    {
        var flops = new FlopBreakdown(1e9, TeacherInference: 2e8, TeacherCacheShare: 3e7, SyntheticGeneration: 4e6, TeacherPretrain: 5e12);
        var curve = new CurveRow { UnitKey = "u", Method = "logit-kd", Student = "s", Budget = "b", Seed = 1, Step = 4, Tokens = 64, ValLoss = 3, ValBitsPerByte = 1, IsFinal = true }
            .WithFlops(flops);
        var run = new RunRow { UnitKey = "u", Method = "logit-kd", Student = "s", Budget = "b", Seed = 1, Tokens = 64, ValLoss = 3, ValBitsPerByte = 1, Status = RunRowStatus.Ok }
            .WithFlops(flops);
        Assert.Equal(flops, FlopBreakdown.Of(curve));
        Assert.Equal(flops, FlopBreakdown.Of(run));
        Assert.Equal(2e8 + 3e7 + 4e6, flops.InferenceExtras);
        var folder = new ResultsFolder { Directory = "x", Manifest = null, Runs = [run], Curves = [curve], Evals = [], Multipliers = [], Missing = [] };
        var point = Assert.Single(ResultsFolderLoader.Load(folder).Metrics.First(m => m.Metric == ResultMetrics.ValLoss).Points);
        Assert.Equal(flops, point.Flops);
        Assert.Equal(1e9 + flops.InferenceExtras + 5e12 / 10, AccountingScenario.Amortised(10).Compute(point.Flops));
    }
}
