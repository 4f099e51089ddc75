using Harness.Config;
using Harness.Evaluation;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Sweep;

public class TeacherEvalsTests
{
    /// <summary>The executors' prepare stage (`worker prepare`, the Slurm prepare job) and an in-process `harness run`
    /// score the teacher through one method, so teacher-evals.json is the same file whichever executor ran.</summary>
    [Fact]
    public void The_prepare_stage_writes_the_same_teacher_scores_as_an_in_process_run()
    {
        var inProcess = Harness.Tests.Results.PipelineFixture.Folder;
        // The fixture's repository root (its teacher checkpoint and caches) is three levels above the run folder.
        var root = Path.GetFullPath(Path.Combine(inProcess, "..", "..", ".."));
        var config = JsonConfigReader.Read<ExperimentConfig>(Harness.Tests.Results.PipelineFixture.ConfigJson, "contract");
        var options = new SweepOptions { Device = torch.CPU, RepositoryRoot = root, ResultsRoot = TestSupport.TempDirectory() };
        var runner = new SweepRunner(config, options) { EvaluatorFactory = BenchmarkEvaluator.Factory(config.Evaluation) };
        runner.Prepare();

        var prepared = File.ReadAllText(Path.Combine(runner.RunDirectory, ResultSchema.TeacherEvalsFile));
        Assert.Equal(File.ReadAllText(Path.Combine(inProcess, ResultSchema.TeacherEvalsFile)), prepared);
        Assert.Contains("\"student\": \"teacher\"", prepared);
    }
}
