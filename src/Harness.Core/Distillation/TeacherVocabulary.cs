using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>
/// The vocabulary rule between a teacher and its students (README "Teacher vocabulary"): the student's vocabulary is the
/// tokenizer's size V.  A teacher may have more output rows than V (embeddings padded for speed, e.g. Qwen2.5's 152,064
/// rows for 151,936 tokens); rows ≥ V are padding and are dropped before the softmax, for online KD and for the
/// logit cache alike, so the teacher distribution is a softmax over the V real tokens.  A teacher with fewer rows than V,
/// or trained with another tokenizer, is refused.
/// </summary>
public static class TeacherVocabulary
{
    /// <summary>Logits (…, V_teacher) → (…, V): the first V rows (a view; the tensor itself when V_teacher = V).</summary>
    public static Tensor Logits(Tensor logits, int vocabularySize) =>
        logits.shape[^1] == vocabularySize ? logits : logits.narrow(-1, 0, vocabularySize);

    /// <summary>Every problem with pairing this teacher and this tokenizer (empty when they fit).</summary>
    public static IReadOnlyList<string> Problems(string teacher, int teacherRows, int teacherTokenizerSize, string teacherTokenizerHash,
        int studentTokenizerSize, string studentTokenizerHash)
    {
        var problems = new List<string>();
        if (teacherTokenizerHash != studentTokenizerHash || teacherTokenizerSize != studentTokenizerSize)
            problems.Add($"{teacher}: the teacher's tokenizer ({teacherTokenizerSize} tokens, hash {teacherTokenizerHash}) is not the students' ({studentTokenizerSize} tokens, hash {studentTokenizerHash}); "
                         + "distillation compares distributions token by token, so both must use one tokenizer: make $.data's tokenizer the teacher's.");
        if (teacherRows < studentTokenizerSize)
            problems.Add($"{teacher}: the teacher's output head has {teacherRows} rows, fewer than the tokenizer's {studentTokenizerSize} tokens; it cannot give every token a probability.");
        return problems;
    }
}
