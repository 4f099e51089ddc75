namespace Harness.Tests;

/// <summary>
/// The tiny sweep config the sweep tests run (one 1-layer student of d_model 16 on the embedded corpus with a 300-token
/// BPE vocabulary), as experiment JSON.  Each field is one line of the JSON, so a test overrides only what it is about
/// (<c>new TinyExperiment { Name = "tiny-faults", Seeds = "1, 2", Run = "\"retries\": RETRIES" }.Json</c>); the text
/// keeps the layout of the hand-written configs, so the string edits tests make on it still match.
/// </summary>
public sealed record TinyExperiment
{
    public string Name { get; init; } = "tiny";
    /// <summary>Adds <c>"teacher": { "checkpoint": "models/teacher" }</c> (the root must hold that checkpoint).</summary>
    public bool WithTeacher { get; init; }
    public string Students { get; init; } = "\"s\": { \"context_length\": 16, \"layers\": 1, \"heads\": 2, \"d_model\": 16 }";
    public string Budgets { get; init; } = "{ \"name\": \"b\", \"tokens\": 3840 }";
    public string Methods { get; init; } = "\"scratch\"";
    /// <summary>The <c>kd</c> object's members, or null for none.</summary>
    public string? Kd { get; init; }
    public string Seeds { get; init; } = "1, 2";
    /// <summary>The <c>run</c> object's members, or null for none.</summary>
    public string? Run { get; init; }
    /// <summary>The <c>training</c> object's members (may run over lines).</summary>
    public string Training { get; init; } = StandardTraining;
    /// <summary>The <c>evaluation</c> object's members (after training), or null for none.</summary>
    public string? Evaluation { get; init; }

    public const string StandardTraining = "\"batch_size\": 8, \"eval_interval\": 10, \"eval_tokens\": 512, \"checkpoint_interval\": 5, \"warmup_steps\": 2, \"log_interval\": 1";

    public string Json => string.Join("\n", new[]
    {
        "{",
        $"  \"name\": \"{Name}\",",
        "  \"data\": { \"corpus\": \"embedded\", \"tokenizer\": { \"kind\": \"bpe\", \"vocab_size\": 300 } },",
        WithTeacher ? "  \"teacher\": { \"checkpoint\": \"models/teacher\" }," : null,
        $"  \"students\": {{ {Students} }},",
        $"  \"budgets\": [ {Budgets} ],",
        $"  \"methods\": [{Methods}],",
        Kd is null ? null : $"  \"kd\": {{ {Kd} }},",
        $"  \"seeds\": [{Seeds}],",
        Run is null ? null : $"  \"run\": {{ {Run} }},",
        $"  \"training\": {{ {Training} }}" + (Evaluation is null ? "" : ","),
        Evaluation is null ? null : $"  \"evaluation\": {{ {Evaluation} }}",
        "}",
    }.Where(line => line is not null));
}
