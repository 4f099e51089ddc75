using System.Text.Json;

namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// One multiple-choice document after lm-eval's <c>process_docs</c>, <c>doc_to_text</c>, <c>doc_to_choice</c> and
/// <c>doc_to_target</c> (<c>lm_eval/api/task.py</c>, <c>ConfigurableTask</c>).  Ordinary tasks: <paramref name="Text"/> is
/// the context, <paramref name="Choices"/> are continuations (each sent with the target delimiter in front).
/// Multiple-input tasks (WinoGrande's partial evaluation): each choice is a context and <paramref name="SharedTarget"/>
/// is the one continuation all choices are scored on; <paramref name="Text"/> is unused.
/// </summary>
public sealed record LmEvalDoc(string Text, IReadOnlyList<string> Choices, int Gold, string? SharedTarget = null)
{
    public bool MultipleInput => SharedTarget is not null;

    /// <summary>The dataset row the document was read from (null for documents built in code).</summary>
    public JsonElement? Row { get; init; }

    /// <summary>lm-eval's <c>x != doc</c> test of the few-shot sampler, which compares the row dictionaries: the same
    /// fields with the same values, in any order.  Documents without a row are the same only as themselves.</summary>
    public bool SameRowAs(LmEvalDoc other) =>
        Row is { } a && other.Row is { } b ? JsonElement.DeepEquals(a, b) : ReferenceEquals(this, other);

    /// <summary>How the document reads as a solved few-shot example: lm-eval's sampler writes
    /// doc_to_text + target_delimiter + doc_to_target (for multiple input: the gold choice, delimiter, target).</summary>
    public string AsExample(string targetDelimiter) =>
        MultipleInput ? Choices[Gold] + targetDelimiter + SharedTarget : Text + targetDelimiter + Choices[Gold];
}
