using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Training;
using Harness.IO;
using static TorchSharp.torch;

namespace Harness.Sweep;

/// <summary>The experiment's teacher: the model (null when not loaded), its checkpoint info, hash and folder; all null
/// when the experiment has none.  Disposing it frees the model.</summary>
public sealed record LoadedTeacher(Gpt? Model, CheckpointInfo? Info, string? Hash, string? Path) : IDisposable
{
    public static LoadedTeacher None => new(null, null, null, null);

    public void Dispose() => Model?.Dispose();
}

/// <summary>
/// Acquires the teacher of an experiment (<c>teacher</c> in the config): trains it first with its
/// <c>teacher.train_config</c> when the checkpoint is missing, loads it, and refuses one trained with another tokenizer
/// or whose held-out loss is not finite.
/// </summary>
public sealed class TeacherProvider(TeacherSpec spec, string repositoryRoot, Device device, ISweepObserver? observer = null)
{
    /// <summary>The checkpoint folder, absolute (null when the experiment has no teacher).</summary>
    public string? CheckpointPath => spec.Checkpoint is null ? null : PathNames.ConfigPath(repositoryRoot, spec.Checkpoint, "$.teacher.checkpoint");

    /// <summary>True when the teacher checkpoint is missing and <see cref="Load"/> would train it first.</summary>
    public bool NeedsTraining => CheckpointPath is { } path && !File.Exists(System.IO.Path.Combine(path, Checkpoint.ConfigFile));

    /// <summary>The teacher, trained first when missing, checked against <paramref name="data"/>.</summary>
    public LoadedTeacher Load(PreparedData data)
    {
        if (CheckpointPath is not { } path) return LoadedTeacher.None;
        if (NeedsTraining)
        {
            if (spec.TrainConfig is null)
                throw new UserInputException($"teacher checkpoint {path} does not exist.",
                    [$"$.teacher.checkpoint: \"{spec.Checkpoint}\" has no {Checkpoint.ConfigFile}; train it with `harness train` or set teacher.train_config so the sweep trains it first."]);
            var trainPath = PathNames.ConfigPath(repositoryRoot, spec.TrainConfig, "$.teacher.train_config");
            observer?.Status($"teacher checkpoint missing: training it from {trainPath}");
            var trainConfig = JsonConfigReader.ReadFile<TrainRunConfig>(trainPath);
            TrainRun.Execute(trainConfig with { Output = path }, File.ReadAllText(trainPath), repositoryRoot, device, new CallbackProgress<string>(s => observer?.Status(s)),
                new CallbackProgress<TrainingProgress>(p => observer?.UnitProgress(p)));
        }
        RefuseImported(path);
        var (model, info) = Checkpoint.Load(path, device);
        var vocabulary = Distillation.TeacherVocabulary.Problems(System.IO.Path.Combine(path, Checkpoint.ConfigFile), model.OutputSize,
            info.Model.VocabSize, info.TokenizerHash, data.VocabSize, data.TokenizerHash);
        if (vocabulary.Count > 0)
        {
            model.Dispose();
            throw new UserInputException($"teacher {path} was trained with another tokenizer.", vocabulary);
        }
        CheckLoss(model, data, path);
        return new LoadedTeacher(model, info, Checkpoint.Hash(path), path);
    }

    /// <summary>The teacher's identity (info, hash, folder) without loading the model (<see cref="LoadedTeacher.Model"/> null).</summary>
    public LoadedTeacher Identify()
    {
        if (CheckpointPath is not { } path) return LoadedTeacher.None;
        RefuseImported(path);
        return new LoadedTeacher(null, Checkpoint.ReadInfo(path), Checkpoint.Hash(path), path);
    }

    /// <summary>A Hugging Face folder loads in eval, sample, export and as an <see cref="Distillation.OnlineTeacher"/> or
    /// logit-cache teacher, but the sweep's teacher record (manifest, units, preflight) is still GPT-checkpoint shaped:
    /// refused here by name rather than failing deep inside.</summary>
    void RefuseImported(string path)
    {
        if (!ModelFolder.IsHuggingFace(path)) return;
        throw new UserInputException($"teacher {path} is a Hugging Face model folder.",
            [$"$.teacher.checkpoint: \"{spec.Checkpoint}\" holds a Hugging Face config.json; sweeps do not take imported teachers yet (it works with `harness eval`, `harness sample` and `harness export`). Use a teacher trained by `harness train`."]);
    }

    /// <summary>Refuses a teacher whose held-out loss on one batch is not finite (finite weights are checked at load).</summary>
    void CheckLoss(Gpt model, PreparedData data, string path)
    {
        int ctx = model.Config.ContextLength;
        if (data.Validation.Count < ctx + 1) return;   // the preflight reports a too-short validation split
        var byteLengths = TokenByteLengths.For(data.TokenizerPath, data.Tokenizer, data.VocabSize);
        var held = new LossEvaluator(data.Validation.Tokens, byteLengths, ctx, ctx * 4L, batchSize: 4).Evaluate(model);
        if (!double.IsFinite(held.NatsPerToken))
        {
            model.Dispose();
            throw new UserInputException($"teacher {path} gives a non-finite held-out loss ({held.NatsPerToken}) on one validation batch.",
                [$"{System.IO.Path.Combine(path, Checkpoint.WeightsFile)}: the weights are finite but the model's output is not; retrain it with `harness train {spec.TrainConfig ?? "TRAIN_CONFIG"}` or restore the file."]);
        }
    }
}
