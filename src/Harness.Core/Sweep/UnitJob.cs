using System.Diagnostics;
using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Distillation;
using Harness.Distillation.Methods;
using Harness.Evaluation;
using Harness.IO;
using Harness.Modeling;
using Harness.Results;
using Harness.Training;
using TorchSharp;

namespace Harness.Sweep;

/// <summary>
/// Trains one unit from resources a process prepared once (data, byte lengths, teacher, evaluator: <see cref="SweepResources"/>;
/// the logit cache and seq-KD corpus: <see cref="TeacherSignals"/>) and returns its typed rows and the trained student.
/// It knows nothing of claims, retries or heartbeats (<see cref="UnitExecution"/> does); the trainer's own checkpoints
/// (units/KEY/resume/) let a later attempt resume where this one stopped.
/// </summary>
sealed class UnitJob(ExperimentConfig config, SweepOptions options)
{
    /// <summary>Trains <paramref name="unit"/>; progress, evaluations and a resume go to <paramref name="observer"/>.</summary>
    public UnitJobResult Train(SweepUnit unit, SweepResources resources, TeacherSignals signals, ISweepObserver? observer, CancellationToken cancellation)
    {
        var (data, byteLengths, loaded, folder, evaluator) = resources;
        var plan = UnitTrainingPlan.For(unit, config.Training, folder);
        var training = plan.Training;
        var method = unit.TrainingMethod;
        var inputs = new MethodInputs(config, data.VocabSize, data.Train.Tokens, loaded.Model, method.NeedsTeacher ? loaded.Info?.TrainingFlops ?? 0 : 0,
            signals.CacheFor(unit), signals.SyntheticFor(unit, cancellation), unit.Seed);
        var stream = method.TrainingStream(inputs);
        var sampler = new BatchSampler(stream, training.BatchSize, unit.Model.ContextLength, unit.Seed, alignToContext: true);
        var objective = method.Objective(inputs);
        var accounting = new UnitAccounting(unit, method.Flops(inputs), sampler, training.GradAccum);
        var curve = new List<CurveRow>();
        var evals = new List<EvalRow>();
        torch.manual_seed(unit.Seed);
        var student = StudentModel.Create(unit.Model, options.Device);
        try
        {
            var trainer = new Trainer(student, training, sampler,
                new LossEvaluator(data.Validation.Tokens, byteLengths, unit.Model.ContextLength, training.EvalTokens), objective, options.Device, plan.Schedule);

            EvalRow Identify(EvalRow r) => r with { Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed };
            var trainLog = new List<TrainLogRow>();
            using var board = config.Tracking?.Tensorboard == true
                ? new TensorBoardLog(folder.Layout.TensorBoardRun(unit.Method, unit.Student, unit.Budget, unit.Seed)) : null;
            void Logged(TrainingProgress p)
            {
                board?.Training(p);
                trainLog.Add(new TrainLogRow
                {
                    UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                    Step = p.Step, Tokens = p.Tokens, TrainLoss = p.Loss, TrainCe = p.CrossEntropy, LearningRate = p.LearningRate, TokensPerSecond = p.TokensPerSecond,
                });
                observer?.UnitProgress(p);
            }

            CurveRow Point(EvalPoint p)
            {
                var flops = accounting.At(p.Step, p.Tokens);
                return new CurveRow
                {
                    UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                    ParamsNonEmbedding = ModelMath.NonEmbeddingParams(unit.Model), Step = p.Step, Tokens = p.Tokens,
                    FlopsStudentTrain = flops.StudentTrain,
                    FlopsTeacherInference = flops.TeacherInference,
                    FlopsTeacherCacheShare = flops.TeacherCacheShare,
                    FlopsSyntheticGeneration = flops.SyntheticGeneration,
                    FlopsTeacherPretrain = flops.TeacherPretrain,
                    ValLoss = p.ValLoss, ValBitsPerByte = p.ValBitsPerByte, IsFinal = plan.IsFinal(p),
                };
            }

            var clock = Stopwatch.StartNew();
            var evalClock = new Stopwatch();       // curve-subset scoring, inside the trainer's wall time
            var finalEvalClock = new Stopwatch();  // final scoring, after it
            TrainingResult? result = null;
            string failure = plan.Failure ?? "";
            try
            {
                if (plan.Failure is null)
                {
                    if (ResumeState.SavedStep(folder.ResumeDirectory(unit.Key)) is { } resumeStep)
                        observer?.UnitResumed(unit, resumeStep);
                    result = trainer.Run(folder.ResumeDirectory(unit.Key), new CallbackProgress<TrainingProgress>(Logged), point =>
                    {
                        observer?.UnitEvaluated(unit, point);
                        board?.Validation(point);
                        bool curvePoint = point.Step / training.EvalInterval % config.Evaluation.CurveEvery == 0;
                        if (evaluator is not null && config.Evaluation.CurveSubset > 0 && !plan.IsFinal(point) && curvePoint)
                        {
                            evalClock.Start();
                            evals.AddRange(evaluator(student, unit.Key, unit.Method, EvaluationPoint.Curve(point.Step, point.Tokens)).Select(Identify));
                            evalClock.Stop();
                        }
                    }, cancellation, plan.StartFrom, plan.Snapshots, new CurveEvalExtras(evals));
                }
            }
            catch (TrainingDivergedException e)
            {
                failure = e.Message;
            }
            if (result is not null)
            {
                curve.AddRange(result.Curve.Select(Point));
                if (evaluator is not null && unit.IsFinishedRun)
                {
                    // Curve-subset scores from before a resume were restored from the checkpoint (CurveEvalExtras).
                    finalEvalClock.Start();
                    evals.AddRange(evaluator(student, unit.Key, unit.Method, EvaluationPoint.Final(result.Steps, result.Tokens)).Select(Identify));
                    finalEvalClock.Stop();
                }
            }
            var last = curve.LastOrDefault();
            var row = new RunRow
            {
                UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                Layers = unit.Model.Layers, DModel = unit.Model.DModel,
                ParamsTotal = ModelMath.TotalParams(unit.Model), ParamsNonEmbedding = ModelMath.NonEmbeddingParams(unit.Model),
                Tokens = result?.Tokens ?? 0,
                FlopsStudentTrain = last?.FlopsStudentTrain ?? 0, FlopsTeacherInference = last?.FlopsTeacherInference ?? 0,
                FlopsTeacherCacheShare = last?.FlopsTeacherCacheShare ?? 0, FlopsSyntheticGeneration = last?.FlopsSyntheticGeneration ?? 0,
                FlopsTeacherPretrain = accounting.TeacherPretrain,
                ValLoss = last?.ValLoss ?? double.NaN, ValBitsPerByte = last?.ValBitsPerByte ?? double.NaN,
                Status = result is null ? RunRowStatus.Failed : RunRowStatus.Ok, FailureReason = failure,
                WallSeconds = (result?.WallSeconds ?? clock.Elapsed.TotalSeconds) - (result is null ? 0 : evalClock.Elapsed.TotalSeconds),
                TokensPerSecond = result?.TokensPerSecond ?? 0, EvalSeconds = evalClock.Elapsed.TotalSeconds + finalEvalClock.Elapsed.TotalSeconds,
                Device = SweepRunner.DeviceName(options.Device), Threads = torch.get_num_threads(),
                RestartCount = options.RestartCount,
                UniqueTrainTokens = stream.Length,
                Epochs = stream.Length == 0 ? -1 : (double)(result?.Tokens ?? 0) / stream.Length,
            };
            row = plan.Describe(row, accounting.OnlineTeacherPerToken);
            // The student itself, so `harness eval` can score it later on other tasks (finished runs only).
            var checkpoint = result is not null && unit.IsFinishedRun
                ? new CheckpointInfo
                {
                    Model = unit.Model, TokenizerFile = data.TokenizerFileName, TokenizerKind = data.TokenizerSpec.Kind,
                    CorpusHash = data.CorpusHash, TokenizerHash = data.TokenizerHash, TrainingTokens = result.Tokens, TrainingFlops = row.FlopsStudentTrain,
                    FinalValLoss = row.ValLoss, FinalValBitsPerByte = row.ValBitsPerByte,
                }
                : null;
            return new UnitJobResult(row, curve, evals, trainLog, student, checkpoint);
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }

    /// <summary>A unit's benchmark curve rows, saved inside each checkpoint so a resumed unit has all of them.</summary>
    sealed class CurveEvalExtras(List<EvalRow> evals) : IResumeExtras
    {
        const string File = "curve-evals.json";

        public void Write(string checkpointFolder) =>
            AtomicFile.WriteAllText(Path.Combine(checkpointFolder, File), JsonSerializer.Serialize(evals, HarnessJson.Options));

        public void Read(string checkpointFolder)
        {
            var path = Path.Combine(checkpointFolder, File);
            evals.Clear();
            if (System.IO.File.Exists(path))
                evals.AddRange(JsonSerializer.Deserialize<List<EvalRow>>(System.IO.File.ReadAllText(path), HarnessJson.Options)!);
        }
    }
}

/// <summary>
/// What <see cref="UnitJob.Train"/> produced: the unit's row, its curve, benchmark and training-log rows, and the
/// trained student with its checkpoint record (null for a WSD trunk or a unit that did not train).  Owns the student.
/// </summary>
sealed record UnitJobResult(RunRow Row, IReadOnlyList<CurveRow> Curve, IReadOnlyList<EvalRow> Evals, IReadOnlyList<TrainLogRow> TrainLog,
                            CausalLm Student, CheckpointInfo? Checkpoint) : IDisposable
{
    /// <summary>Writes the unit's files: the student's checkpoint (with the tokenizer, for `harness eval`), train-log.csv,
    /// then row, curve and evals (<see cref="RunFolder.WriteUnit"/>, the row last), and drops the resume checkpoints.</summary>
    public void WriteTo(RunFolder folder, PreparedData data)
    {
        if (Checkpoint is not null)
        {
            var modelDir = folder.ModelDirectory(Row.UnitKey);
            data.CopyTokenizerTo(modelDir);
            Harness.Modeling.Checkpoint.Save(Student, modelDir, Checkpoint);
        }
        // Training loss per logged step (rows from before a resume are not kept: they lived in the interrupted process).
        ResultTables.WriteAll(folder.Layout.Unit(Row.UnitKey).TrainLog, TrainLog);
        folder.WriteUnit(Row, Curve, Evals);
        ResumeState.Clear(folder.ResumeDirectory(Row.UnitKey));
    }

    public void Dispose() => Student.Dispose();
}
