using Harness.IO;

namespace Harness.Config;

public sealed record ExperimentConfig : IValidatable
{
    public string Name { get; init; } = "";
    public DataSpec Data { get; init; } = new();
    public TeacherSpec Teacher { get; init; } = new();
    /// <summary>Student sizes by name.</summary>
    public Dictionary<string, ModelSpec> Students { get; init; } = new();
    public List<BudgetSpec> Budgets { get; init; } = [];
    /// <summary>Registered method names (Distillation/Methods); default scratch and logit-kd.</summary>
    public List<string> Methods { get; init; } = ["scratch", "logit-kd"];
    public KdSpec Kd { get; init; } = new();
    public SeqKdSpec SeqKd { get; init; } = new();
    public List<int> Seeds { get; init; } = [1];
    /// <summary>Optimiser settings for students; its budget fields are ignored (budgets come from <see cref="Budgets"/>).</summary>
    public TrainingConfig Training { get; init; } = new() { MaxSteps = 1 };
    public EvaluationSpec Evaluation { get; init; } = new();
    /// <summary>Optional; null (absent) = no tracking output.</summary>
    public TrackingSpec? Tracking { get; init; }
    /// <summary>Fault handling (retries); null = defaults.  Left out of the config hash.</summary>
    public RunSpec? Run { get; init; }

    public IReadOnlyList<string> Validate(string path)
    {
        var p = new List<string>();
        // Every name that becomes part of a path goes through IO/PathNames (one rule: a plain folder name).
        if (PathNames.Check($"{path}.name", Name, "the results folder") is { } nameProblem) p.Add(nameProblem);
        foreach (var student in Students.Keys)
            if (PathNames.Check($"{path}.students", student, "a student (its TensorBoard folder and unit names)") is { } studentProblem) p.Add(studentProblem);
        if (Run is { Retries: < 0 or > 100 }) p.Add($"{path}.run.retries: value {Run.Retries} must be in [0, 100] (default 2).");
        p.AddRange(DataSpecValidator.Validate(Data, $"{path}.data"));
        if (Students.Count == 0) p.Add($"{path}.students: needs at least one student, e.g. {{\"s1\": {{\"preset\": \"nano\"}}}}.");
        foreach (var (name, spec) in Students) p.AddRange(spec.Validate($"{path}.students.{name}"));
        if (Budgets.Count == 0) p.Add($"{path}.budgets: needs at least one budget, e.g. [{{\"name\": \"b1\", \"tokens\": 100000}}].");
        for (int i = 0; i < Budgets.Count; i++)
        {
            var b = Budgets[i];
            var at = $"{path}.budgets[{i}]";
            if (PathNames.Check($"{at}.name", b.Name, "a budget (its TensorBoard folder and unit names)") is { } budgetProblem) p.Add(budgetProblem);
            if ((b.Tokens is null) == (b.Flops is null)) p.Add($"{at}: set exactly one of tokens or flops.");
            if (b.Tokens is <= 0) p.Add($"{at}.tokens: value {b.Tokens} must be positive.");
            if (b.Flops is not null && !(b.Flops > 0)) p.Add($"{at}.flops: value {b.Flops} must be positive.");
            if (b.Tokens > 0 && Training.BatchSize > 0 && Training.GradAccum > 0)
                foreach (var (name, spec) in Students.Where(s => s.Value.Validate("").Count == 0))
                    if (TrainingConfig.StepsProblem(b.Tokens.Value, Training.TokensPerStep(spec.Resolve(1).ContextLength)) is { } steps)
                        p.Add($"{at}.tokens: value {b.Tokens} for student \"{name}\": {steps}");
        }
        foreach (var dup in Budgets.GroupBy(b => b.Name).Where(g => g.Count() > 1))
            p.Add($"{path}.budgets: name \"{dup.Key}\" is used {dup.Count()} times; budget names must be unique.");
        // Names the later stages register (methods, divergences, KD targets, tasks, "hf" tokenizer files) are checked by
        // Pipelines/ExperimentValidator, so Config imports no stage.
        if (Kd.Alpha is < 0 or > 1) p.Add($"{path}.kd.alpha: value {Kd.Alpha} must be in [0, 1].");
        if (!(Kd.Temperature > 0)) p.Add($"{path}.kd.temperature: value {Kd.Temperature} must be > 0.");
        if (Kd.Beta is <= 0 or >= 1) p.Add($"{path}.kd.beta: value {Kd.Beta} must be in (0, 1).");
        if (Kd.TopK <= 0) p.Add($"{path}.kd.top_k: value {Kd.TopK} must be a positive integer.");
        // An "hf" tokenizer's size comes from its file: Data's TokenizerFileCheck compares top_k with it.
        else if (Data.TokenizerOrDefault is { Kind: not TokenizerSpec.HuggingFace } tok && tok.EffectiveVocabSize is var vocab && Kd.TopK > vocab)
            p.Add($"{path}.kd.top_k: value {Kd.TopK} is larger than the vocabulary ({vocab} tokens of data.tokenizer); use at most {vocab}, typically 16–64.");
        if (SeqKd.Tokens <= 0) p.Add($"{path}.seq_kd.tokens: value {SeqKd.Tokens} must be positive.");
        if (!(SeqKd.Temperature > 0)) p.Add($"{path}.seq_kd.temperature: value {SeqKd.Temperature} must be > 0.");
        if (SeqKd.TopP is <= 0 or > 1) p.Add($"{path}.seq_kd.top_p: value {SeqKd.TopP} must be in (0, 1].");
        if (Seeds.Count == 0) p.Add($"{path}.seeds: needs at least one seed.");
        foreach (var dup in Seeds.GroupBy(s => s).Where(g => g.Count() > 1)) p.Add($"{path}.seeds: seed {dup.Key} is repeated.");
        p.AddRange(Training.Validate($"{path}.training").Where(x => !x.Contains("max_tokens") && !x.Contains("max_steps")));
        // WSD: every token budget's cooldown must start after warm-up (FLOP budgets depend on the vocabulary; the sweep plan checks those).
        if (Training.ScheduleShape == TrainingConfig.WsdSchedule && Training.BatchSize > 0 && Training.GradAccum > 0)
            foreach (var (name, spec) in Students.Where(s => s.Value.Validate("").Count == 0))
            foreach (var b in Budgets.Where(b => b.Tokens > 0 && TrainingConfig.StepsProblem(b.Tokens.Value, Training.TokensPerStep(spec.Resolve(1).ContextLength)) is null))
                if (Training.WsdCooldownProblem(b.Name, name, (Training with { MaxTokens = b.Tokens, MaxSteps = null }).TotalSteps(spec.Resolve(1).ContextLength)) is { } problem)
                    p.Add(problem);
        if (Evaluation.CurveSubset < 0) p.Add($"{path}.evaluation.curve_subset: value {Evaluation.CurveSubset} must be ≥ 0.");
        if (Evaluation.CurveEvery < 1) p.Add($"{path}.evaluation.curve_every: value {Evaluation.CurveEvery} must be a positive integer (1 = every held-out evaluation).");
        if (Evaluation.MaxItems < 0) p.Add($"{path}.evaluation.max_items: value {Evaluation.MaxItems} must be ≥ 0.");
        if (Evaluation.NumFewShot < 0) p.Add($"{path}.evaluation.num_fewshot: value {Evaluation.NumFewShot} must be ≥ 0.");
        return p;
    }
}
