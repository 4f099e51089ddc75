using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// The per-task document rules of lm-evaluation-harness (EleutherAI, <c>lm_eval/tasks/…</c>), one function per task,
/// each citing the task file it follows.  They read a row in the dataset's published schema and return the
/// <see cref="LmEvalDoc"/> lm-eval builds from it; schema problems go to the <see cref="RowReader"/>.
/// </summary>
public static partial class Formats
{
    /// <summary>
    /// <c>lm_eval/tasks/hellaswag/utils.py</c> (<c>preprocess</c>): strip; " [title]" → ". "; drop every "[…]"; "  " → " ".
    /// </summary>
    public static string HellaSwagPreprocess(string text)
    {
        text = text.Trim();
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = Brackets().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <summary>Python's <c>str.capitalize()</c>: first character upper-cased, the rest lower-cased.</summary>
    public static string PythonCapitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>
    /// <c>lm_eval/tasks/hellaswag/hellaswag.yaml</c> + <c>utils.py</c> (<c>process_docs</c>): query =
    /// preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()), choices = preprocess(ending) each,
    /// gold = int(label).  Fields: activity_label, ctx_a, ctx_b, endings, label.
    /// </summary>
    public static LmEvalDoc HellaSwag(JsonElement row, int index, RowReader r)
    {
        var ctx = r.String(row, index, "ctx_a") + " " + PythonCapitalize(r.String(row, index, "ctx_b"));
        var query = HellaSwagPreprocess(r.String(row, index, "activity_label") + ": " + ctx);
        var choices = r.Strings(row, index, "endings").Select(HellaSwagPreprocess).ToArray();
        return new LmEvalDoc(query, choices, Gold(r, index, "label", r.Integer(row, index, "label"), choices.Length));
    }

    /// <summary>
    /// <c>lm_eval/tasks/arc/arc_easy.yaml</c> (arc_challenge includes it): doc_to_text "Question: {{question}}\nAnswer:",
    /// doc_to_choice choices.text, doc_to_target choices.label.index(answerKey).  Fields: question, choices{text,label}, answerKey.
    /// </summary>
    public static LmEvalDoc Arc(JsonElement row, int index, RowReader r)
    {
        var text = r.Strings(row, index, "choices", "text");
        var labels = r.Strings(row, index, "choices", "label");
        var key = r.String(row, index, "answerKey");
        return new LmEvalDoc($"Question: {r.String(row, index, "question")}\nAnswer:", text, LabelIndex(r, index, "answerKey", labels, key, text.Count));
    }

    /// <summary>
    /// <c>lm_eval/tasks/piqa/piqa.yaml</c>: doc_to_text "Question: {{goal}}\nAnswer:", doc_to_choice [sol1, sol2],
    /// doc_to_target label.  Fields: goal, sol1, sol2, label.
    /// </summary>
    public static LmEvalDoc Piqa(JsonElement row, int index, RowReader r)
    {
        string[] choices = [r.String(row, index, "sol1"), r.String(row, index, "sol2")];
        return new LmEvalDoc($"Question: {r.String(row, index, "goal")}\nAnswer:", choices, Gold(r, index, "label", r.Integer(row, index, "label"), 2));
    }

    /// <summary>
    /// <c>lm_eval/tasks/winogrande/default.yaml</c> + <c>preprocess_winogrande.py</c> (partial evaluation, Trinh &amp; Le
    /// 2018): idx = sentence.index("_"); choices = sentence[:idx] + option1 / option2 (these are the contexts);
    /// target = sentence[idx+1:].strip(), scored after each; gold = {"1": 0, "2": 1}[answer].
    /// Fields: sentence, option1, option2, answer.
    /// </summary>
    public static LmEvalDoc WinoGrande(JsonElement row, int index, RowReader r)
    {
        var sentence = r.String(row, index, "sentence");
        var option1 = r.String(row, index, "option1");
        var option2 = r.String(row, index, "option2");
        var answer = r.String(row, index, "answer");
        int blank = sentence.IndexOf('_');
        if (blank < 0 && r.Problems == 0) r.Invalid(index, "sentence", $"has no '_' blank: \"{sentence}\"");
        if (blank < 0) blank = 0;
        int gold = answer switch { "1" => 0, "2" => 1, _ => -1 };
        if (gold < 0) r.Invalid(index, "answer", $"expected \"1\" or \"2\", found \"{answer}\"");
        var target = sentence[Math.Min(sentence.Length, blank + 1)..].Trim();
        return new LmEvalDoc("", [sentence[..blank] + option1, sentence[..blank] + option2], Math.Max(gold, 0), target);
    }

    /// <summary>
    /// <c>lm_eval/tasks/sciq/sciq.yaml</c>: doc_to_text "{{support.lstrip()}}\nQuestion: {{question}}\nAnswer:",
    /// doc_to_choice [distractor1, distractor2, distractor3, correct_answer], doc_to_target 3.
    /// Fields: question, distractor1..3, correct_answer, support.
    /// </summary>
    public static LmEvalDoc SciQ(JsonElement row, int index, RowReader r)
    {
        var support = r.String(row, index, "support").TrimStart();
        string[] choices = [r.String(row, index, "distractor1"), r.String(row, index, "distractor2"), r.String(row, index, "distractor3"), r.String(row, index, "correct_answer")];
        return new LmEvalDoc($"{support}\nQuestion: {r.String(row, index, "question")}\nAnswer:", choices, 3);
    }

    /// <summary>
    /// <c>lm_eval/tasks/openbookqa/openbookqa.yaml</c>: doc_to_text question_stem, doc_to_choice choices.text,
    /// doc_to_target choices.label.index(answerKey.lstrip()).  Fields: question_stem, choices{text,label}, answerKey.
    /// </summary>
    public static LmEvalDoc OpenBookQA(JsonElement row, int index, RowReader r)
    {
        var text = r.Strings(row, index, "choices", "text");
        var labels = r.Strings(row, index, "choices", "label");
        var key = r.String(row, index, "answerKey").TrimStart();
        return new LmEvalDoc(r.String(row, index, "question_stem"), text, LabelIndex(r, index, "answerKey", labels, key, text.Count));
    }

    static int LabelIndex(RowReader r, int index, string field, IReadOnlyList<string> labels, string key, int choices)
    {
        if (labels.Count != choices && r.Problems == 0) r.Invalid(index, "choices", $"{labels.Count} labels for {choices} texts");
        int gold = labels.ToList().IndexOf(key);
        if (gold < 0 && labels.Count > 0) r.Invalid(index, field, $"\"{key}\" is not one of the labels [{string.Join(", ", labels)}]");
        return Math.Max(gold, 0);
    }

    static int Gold(RowReader r, int index, string field, int gold, int choices)
    {
        if (gold >= 0 && gold < choices) return gold;
        if (gold >= 0) r.Invalid(index, field, $"{gold.ToString(CultureInfo.InvariantCulture)} is not a choice index (0..{choices - 1})");
        return 0;
    }

    /// <summary>
    /// <c>lm_eval/tasks/lambada/lambada_openai.yaml</c>: doc_to_text = the words of text but the last, joined by " "
    /// (<c>text.split(' ')[:-1]|join(' ')</c>), doc_to_target = " " + the last word, target_delimiter "".
    /// </summary>
    public static (string Context, string Target) Lambada(string text)
    {
        int cut = text.LastIndexOf(' ');
        return cut < 0 ? ("", " " + text) : (text[..cut], " " + text[(cut + 1)..]);
    }

    /// <summary>
    /// <c>lm_eval/tasks/wikitext/preprocess_wikitext.py</c> (<c>wikitext_detokenizer</c>): undoes WikiText's tokenisation
    /// (" @-@ " → "-", " , " → ", ", spaces inside brackets and quotes, "= = =" → "===", …) in lm-eval's order.
    /// </summary>
    public static string WikiTextDetokenize(string s)
    {
        s = s.Replace("s '", "s'", StringComparison.Ordinal);
        s = QuoteDigit().Replace(s, "/'[0-9]/"); // lm-eval's literal replacement (its pattern matches only "/' <digit>/")
        foreach (var (from, to) in new[] { (" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."), (" : ", ": "), (" ; ", "; "), (" . ", ". "), (" ! ", "! "), (" ? ", "? "), (" , ", ", ") })
            s = s.Replace(from, to, StringComparison.Ordinal);
        s = Parens().Replace(s, "($1)");
        s = Squares().Replace(s, "[$1]");
        s = Braces().Replace(s, "{$1}");
        s = DoubleQuotes().Replace(s, "\"$1\"");
        s = SingleQuotes().Replace(s, "'$1'");
        foreach (var (from, to) in new[] { ("= = = =", "===="), ("= = =", "==="), ("= =", "=="), (" \u00b0 ", "\u00b0"), (" \n", "\n"), ("\n ", "\n"), (" N ", " 1 "), (" 's", "'s") })
            s = s.Replace(from, to, StringComparison.Ordinal);
        return s;
    }

    /// <summary>Python's <c>len(re.split(r"\s+", page))</c>: whitespace runs split, empty ends count as words.</summary>
    public static int WikiTextWords(string page) => Whitespace().Split(page).Length;

    [GeneratedRegex(@"\[.*?\]")] private static partial Regex Brackets();
    [GeneratedRegex(@"/' [0-9]/")] private static partial Regex QuoteDigit();
    [GeneratedRegex(@"\(\s*([^\)]*?)\s*\)")] private static partial Regex Parens();
    [GeneratedRegex(@"\[\s*([^\]]*?)\s*\]")] private static partial Regex Squares();
    [GeneratedRegex(@"{\s*([^}]*?)\s*}")] private static partial Regex Braces();
    [GeneratedRegex("\"\\s*([^\"]*?)\\s*\"")] private static partial Regex DoubleQuotes();
    [GeneratedRegex(@"'\s*([^']*?)\s*'")] private static partial Regex SingleQuotes();
    [GeneratedRegex(@"\s+")] private static partial Regex Whitespace();
}
