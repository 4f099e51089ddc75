using Harness.Config;
using Harness.Distillation;
using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using TorchSharp;

namespace Harness.Tests.Sweep;

public class UnitAccountingTests
{
    // README "Model, FLOPs": train = 6·(N_nonembedding + V·d) + 12·L·T·d per token; forward = one third.
    static double TrainPerToken(GptConfig g) => 6.0 * (ModelMath.NonEmbeddingParams(g) + (double)g.VocabSize * g.DModel) + 12.0 * g.Layers * g.ContextLength * g.DModel;
    static double ForwardPerToken(GptConfig g) => TrainPerToken(g) / 3;

    /// <summary>Equal to rounding: the formulas here group the same products differently from ModelMath.</summary>
    static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    static SweepUnit Unit(GptConfig model) => new("k", 0, "s", model, "b", 1000, "logit-kd", 1);

    [Fact]
    public void Points_charge_student_training_and_each_method_rate_by_the_readme_formulas()
    {
        var model = new GptConfig(64, 16, 2, 2, 16);   // V=64, T=16, L=2, d=16: N_ne = 2·(12·16² + 13·16) + 2·16 = 6592
        Assert.Equal(6592, ModelMath.NonEmbeddingParams(model));
        Assert.Equal(6.0 * (6592 + 64 * 16) + 12.0 * 2 * 16 * 16, TrainPerToken(model));
        var sampler = new BatchSampler(TestSupport.PatternStream(400, 64), 4, 16, seed: 3, alignToContext: true);

        var scratch = new UnitAccounting(Unit(model), MethodFlopRates.None, sampler, 2).At(10, 1280);
        Close(1280 * TrainPerToken(model), scratch.StudentTrain);
        Assert.Equal(new FlopBreakdown(scratch.StudentTrain, 0, 0, 0, 0), scratch);

        var online = new UnitAccounting(Unit(model), new MethodFlopRates { TeacherOnlinePerToken = 1000, TeacherPretrain = 5e9 }, sampler, 2);
        Assert.Equal(new FlopBreakdown(scratch.StudentTrain, 1280 * 1000.0, 0, 0, 5e9), online.At(10, 1280));
        Assert.Equal(1000, online.OnlineTeacherPerToken);

        // Cache share: distinct windows read in the first step·grad_accum micro-batches × T × C_fwd.
        var cached = new UnitAccounting(Unit(model), new MethodFlopRates { TeacherCachedPerToken = 1000, TeacherPretrain = 5e9 }, sampler, 2);
        long Distinct(long microBatches) => Enumerable.Range(0, (int)microBatches).SelectMany(i => sampler.Starts(i)).Distinct().LongCount();
        foreach (var step in new[] { 1, 4, 10 })
            Assert.Equal(Distinct(step * 2) * 16 * 1000.0, cached.At(step, step * 128).TeacherCacheShare);
        Assert.True(Distinct(20) < 40, "the pattern stream has few windows, so some repeat");
        Assert.Equal(0, cached.OnlineTeacherPerToken);

        // Synthetic generation: FLOPs × min(1, tokens used / tokens generated).
        var seqKd = new UnitAccounting(Unit(model), new MethodFlopRates { SyntheticGeneration = 9000, SyntheticTokens = 3000, TeacherPretrain = 5e9 }, sampler, 2);
        Assert.Equal(3000, seqKd.At(5, 1000).SyntheticGeneration);
        Assert.Equal(9000, seqKd.At(50, 6000).SyntheticGeneration);
    }

    const string ConfigJson = """
    {
      "name": "flops-sweep",
      "data": { "corpus": "embedded", "tokenizer": { "kind": "bpe", "vocab_size": 300 } },
      "teacher": { "checkpoint": "models/teacher" },
      "students": { "s": { "context_length": 16, "layers": 1, "heads": 2, "d_model": 16 } },
      "budgets": [ { "name": "b", "tokens": 1280 } ],
      "methods": ["scratch", "logit-kd", "seq-kd"],
      "kd": { "top_k": 8, "cache": CACHE },
      "seq_kd": { "tokens": 2000, "seed": 4 },
      "seeds": [1],
      "training": { "batch_size": 4, "grad_accum": 2, "eval_interval": 5, "eval_tokens": 256, "warmup_steps": 2 }
    }
    """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_curve_point_of_a_sweep_matches_the_accounting_formulas(bool cache)
    {
        using var tmp = new TempDirectory();
        var json = ConfigJson.Replace("CACHE", cache ? "true" : "false");
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "test");
        var runner = new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = tmp.Path });
        var data = runner.PrepareData();
        var teacherShape = TestSupport.SaveTinyTeacher(tmp.Path, data);
        var outcome = runner.Run();
        var curves = ResultTables.ReadAll<CurveRow>(Path.Combine(outcome.Directory, ResultSchema.CurvesFile));
        var runs = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunRowStatus.Ok, r.Status));
        var synthetic = System.Text.Json.JsonSerializer.Deserialize<SyntheticCorpus.Result>(
            File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(tmp.Path, ".cache", "synthetic")))))!;
        var student = outcome.Units[0].Model;
        double fwdTeacher = ForwardPerToken(teacherShape);

        foreach (var c in curves)
        {
            Close(c.Tokens * TrainPerToken(student), c.FlopsStudentTrain);
            Assert.Equal(c.Method == "scratch" ? 0 : 1e9, c.FlopsTeacherPretrain);
            Close(c.Method == "logit-kd" && !cache ? c.Tokens * fwdTeacher : 0, c.FlopsTeacherInference);
            Close(c.Method == "seq-kd" ? synthetic.GenerationFlops * Math.Min(1.0, (double)c.Tokens / synthetic.Tokens.Length) : 0, c.FlopsSyntheticGeneration);
            if (c.Method == "logit-kd" && cache)
            {
                // Distinct windows of the first step × grad_accum micro-batches of the unit's sampler, × T × C_fwd.
                var sampler = new BatchSampler(data.Train.Tokens, 4, 16, 1, alignToContext: true);
                long windows = Enumerable.Range(0, c.Step * 2).SelectMany(i => sampler.Starts(i)).Distinct().LongCount();
                Close(windows * 16 * fwdTeacher, c.FlopsTeacherCacheShare);
                Assert.True(c.FlopsTeacherCacheShare > 0);
            }
            else Assert.Equal(0, c.FlopsTeacherCacheShare);
        }
        // A run row carries its last point's columns, and its spent teacher inference is the online rate × tokens.
        foreach (var r in runs)
        {
            var last = curves.Where(c => c.UnitKey == r.UnitKey).MaxBy(c => c.Step)!;
            Assert.Equal((last.FlopsStudentTrain, last.FlopsTeacherInference, last.FlopsTeacherCacheShare, last.FlopsSyntheticGeneration, last.FlopsTeacherPretrain),
                         (r.FlopsStudentTrain, r.FlopsTeacherInference, r.FlopsTeacherCacheShare, r.FlopsSyntheticGeneration, r.FlopsTeacherPretrain));
            Close(r.Method == "logit-kd" && !cache ? r.TokensSpent * fwdTeacher : 0, r.FlopsTeacherInferenceSpent);
        }
        Assert.Equal(MethodRegistry.Names, runs.Select(r => r.Method));
    }
}
