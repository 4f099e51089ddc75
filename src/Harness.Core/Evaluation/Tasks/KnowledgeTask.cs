using Harness.Data;
using Harness.Data.Mixes;

namespace Harness.Evaluation.Tasks;

/// <summary>
/// The knowledge task's question phrasings, held out from every training phrasing of <see cref="FactPhrasing"/>.
/// </summary>
internal static class KnowledgeQuestions
{
    /// <summary>Relation → (evaluation question ending in "A:", answer choice with its leading space).</summary>
    public static readonly IReadOnlyDictionary<string, (string Question, string Answer)> Evaluation = new Dictionary<string, (string, string)>
    {
        ["capital"] = ("Q: Which city is the capital of {s}?\nA:", " {o}"),
        ["continent"] = ("Q: On which continent is {s}?\nA:", " {o}"),
        ["currency"] = ("Q: What money is used in {s}?\nA:", " {o}"),
        ["definition"] = ("Q: Which word means \"{o}\"?\nA:", " {s}"),
        ["hypernym"] = ("Q: {A S} is a type of what?\nA:", " {o}"),
    };

    /// <summary>In a definition the answer is the subject (the word); elsewhere the object.</summary>
    public static bool AnswerIsSubject(string relation) => relation == "definition";

}

/// <summary>
/// Knowledge recall as 4-way multiple choice with held-out question phrasings (see <see cref="KnowledgeQuestions"/>):
/// "Q: Which city is the capital of France?\nA:" → " Paris" against three other capitals.  Reports acc, acc_norm and
/// acc per relation.  Facts the model never saw (knowledge stream not mixed in) leave it at chance 0.25, which is the
/// point: the task measures how much of the stream a student absorbs per unit of compute.
/// </summary>
public sealed class KnowledgeTask : IEvaluationTask
{
    public const string TaskName = "knowledge";
    readonly IReadOnlyList<MultipleChoiceItem> items;

    public KnowledgeTask(IReadOnlyList<MultipleChoiceItem> items) => this.items = items;

    public static KnowledgeTask Load() => new(TaskData.LoadEmbedded<MultipleChoiceItem>(TaskData.KnowledgeFile));

    /// <summary>The committed fact table (facts.v1.jsonl).</summary>
    public static IReadOnlyList<Fact> Facts => FactTable.All;

    public string Name => TaskName;
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; } = ["acc", "acc_norm", "task_loss", "acc_capital", "acc_continent", "acc_currency", "acc_definition", "acc_hypernym"];
    public int ItemCount => items.Count;
    public IReadOnlyList<MultipleChoiceItem> Items => items;

    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var subset = EvaluationMetrics.Subset(items, maxItems, Name);
        return EvaluationMetrics.MultipleChoiceScores(Name, Version, subset, EvaluationMetrics.ScoreMultipleChoice(scorer, subset));
    }

    /// <summary>One item per fact: the held-out question, the true answer and three distinct wrong answers of the same relation.</summary>
    public static IReadOnlyList<MultipleChoiceItem> Build(IReadOnlyList<Fact> facts, int seed)
    {
        var rng = new StableRandom(seed, "knowledge");
        var items = new List<MultipleChoiceItem>();
        foreach (var relation in facts.Select(f => f.Relation).Distinct())
        {
            var group = facts.Where(f => f.Relation == relation).ToList();
            bool subjectAnswer = KnowledgeQuestions.AnswerIsSubject(relation);
            var answers = group.Select(f => subjectAnswer ? f.Subject : f.Obj).Distinct().ToList();
            var (question, answerTemplate) = KnowledgeQuestions.Evaluation[relation];
            foreach (var fact in group)
            {
                var gold = subjectAnswer ? fact.Subject : fact.Obj;
                // A distractor must not be true of this subject too (two facts may share a subject, e.g. a homonym).
                var truths = group.Where(f => (subjectAnswer ? f.Obj : f.Subject) == (subjectAnswer ? fact.Obj : fact.Subject))
                                  .Select(f => subjectAnswer ? f.Subject : f.Obj).ToHashSet();
                var pool = answers.Where(a => !truths.Contains(a)).ToList();
                if (pool.Count < 3) continue;
                var distractors = new List<string>();
                while (distractors.Count < 3)
                {
                    var pick = pool[rng.Next(pool.Count)];
                    if (!distractors.Contains(pick)) distractors.Add(pick);
                }
                var choices = distractors.Select(d => Answer(answerTemplate, relation, fact, d)).ToList();
                int goldIndex = rng.Next(4);
                choices.Insert(goldIndex, Answer(answerTemplate, relation, fact, gold));
                items.Add(new MultipleChoiceItem($"{relation}-{fact.Subject}", relation, FactPhrasing.Render(question, fact), choices, goldIndex));
            }
        }
        return items;
    }

    static string Answer(string template, string relation, Fact fact, string answer) =>
        KnowledgeQuestions.AnswerIsSubject(relation) ? template.Replace("{s}", answer) : template.Replace("{o}", answer);
}
