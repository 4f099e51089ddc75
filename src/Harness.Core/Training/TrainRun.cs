using Harness.Config;
using Harness.Data;
using Harness.Modeling;
using Harness.Results;
using TorchSharp;
using Harness.Data.Mixes;

namespace Harness.Training;

public sealed record TrainRunResult(string CheckpointDirectory, string MetricsPath, TrainingResult Training, GptConfig Model, double TrainingFlops, HeldOutLoss Test);

/// <summary>`harness train`: prepare data, train one model, evaluate, save checkpoint + metrics CSV.</summary>
public static class TrainRun
{
    public static TrainRunResult Execute(TrainRunConfig config, string configJson, string repositoryRoot, torch.Device device,
                                         IProgress<string>? status = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var data = TrainingMixBuilder.Prepare(config.Data, repositoryRoot, status);
        var model = config.Model.Resolve(data.VocabSize);
        // Teachers are held to the same repetition limit as students (see SweepPreflight.RepetitionProblems).
        long seen = config.Training.TotalSteps(model.ContextLength) * (long)config.Training.TokensPerStep(model.ContextLength);
        var unique = new UniqueTokenCount(data.Train.Count, true, "the train split");
        double max = config.Data.MaxEpochsOrDefault;
        if (unique.Epochs(seen) > max)
            throw new UserInputException($"{config.Name}: the training budget repeats the corpus too often.",
                [string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"training: {seen:N0} tokens are {unique.Epochs(seen):F1} epochs over the {unique.Tokens:N0} unique training tokens of data.corpus, above data.max_epochs = {max:R} (Muennighoff et al. 2023, \"Scaling Data-Constrained Language Models\": beyond about 4 epochs repeated tokens are worth little). "
                    + $"Fix: point data.corpus at a larger corpus (README \"Bring your own corpus\"), lower training.max_tokens to at most {(long)(unique.Tokens * max):N0}, or raise data.max_epochs knowingly.")]);
        status?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"data: {unique.Tokens:N0} unique training tokens; {seen:N0} tokens = {unique.Epochs(seen):F2} epochs"));
        var output = IO.PathNames.ConfigPath(repositoryRoot, config.Output, "$.output");
        var byteLengths = TokenByteLengths.For(data.TokenizerPath, data.Tokenizer, data.VocabSize);
        torch.manual_seed(config.Training.Seed);
        using var gpt = StudentModel.Create(model, device);
        var trainer = new Trainer(gpt, config.Training,
            new BatchSampler(data.Train.Tokens, config.Training.BatchSize, model.ContextLength, config.Training.Seed, alignToContext: true),
            new LossEvaluator(data.Validation.Tokens, byteLengths, model.ContextLength, config.Training.EvalTokens), new CrossEntropyObjective(), device);
        status?.Report($"training {ModelMath.TotalParams(model):N0} parameters for {trainer.TotalSteps} steps ({trainer.TotalSteps * trainer.TokensPerStep:N0} tokens)");
        var result = trainer.Run(Path.Combine(output, ".resume"), progress, cancellation: cancellation);
        var test = new LossEvaluator(data.Test.Tokens, byteLengths, model.ContextLength, 0).Evaluate(gpt);
        double flops = result.Tokens * ModelMath.TrainFlopsPerToken(model);
        data.CopyTokenizerTo(output);
        Checkpoint.Save(gpt, output, new CheckpointInfo
        {
            Model = model,
            TokenizerFile = data.TokenizerFileName,
            TokenizerKind = data.TokenizerSpec.Kind,
            CorpusHash = data.CorpusHash,
            TokenizerHash = data.TokenizerHash,
            TrainingTokens = result.Tokens,
            TrainingFlops = flops,
            FinalValLoss = result.Curve[^1].ValLoss,
            FinalValBitsPerByte = result.Curve[^1].ValBitsPerByte,
            TrainConfig = configJson,
        });
        var metrics = Path.Combine(output, "metrics.csv");
        ResultTables.WriteAll(metrics, result.Curve.Select(p => new TrainMetricsRow
        {
            Step = p.Step, Tokens = p.Tokens, Flops = p.Tokens * ModelMath.TrainFlopsPerToken(model), ValLoss = p.ValLoss, ValBitsPerByte = p.ValBitsPerByte,
        }));
        ResultTables.WriteAll(Path.Combine(output, "test.csv"), [new TrainMetricsRow { Step = result.Steps, Tokens = result.Tokens, Flops = flops, ValLoss = test.NatsPerToken, ValBitsPerByte = test.BitsPerByte }]);
        ResumeState.Clear(Path.Combine(output, ".resume"));
        return new TrainRunResult(output, metrics, result, model, flops, test);
    }
}
