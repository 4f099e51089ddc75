namespace Harness.Evaluation;

/// <summary>
/// Phrasings of each relation.  Training phrasings render facts into the knowledge stream; evaluation phrasings are
/// question–answer forms that never occur in training text, so a model scores above chance only by recalling the fact,
/// not by completing a memorised string (the held-out-template design of knowledge probes such as LAMA, Petroni et al.
/// 2019, and of Allen-Zhu &amp; Li 2023, "Physics of Language Models: Part 3.1, Knowledge Storage and Extraction").
/// </summary>
internal static class KnowledgeTemplates
{
    /// <summary>Relation → training sentences ({s} subject, {o} object, {A s} / {A o} with an indefinite article, {S} capitalised subject).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Training = new Dictionary<string, string[]>
    {
        ["capital"] = ["The capital of {s} is {o}.", "{o} is the capital city of {s}.", "The government of {s} sits in {o}."],
        ["continent"] = ["{S} is a country in {o}.", "{S} lies in {o}.", "You will find {s} on the map of {o}."],
        ["currency"] = ["The currency of {s} is the {o}.", "In {s}, people pay with the {o}.", "Prices in {s} are given in the {o}."],
        ["definition"] = ["{A s} is {o}.", "The word \"{s}\" means {o}.", "{S}: {o}."],
        ["hypernym"] = ["{A S} is a kind of {o}.", "Every {s} is {A o}.", "The category {o} includes {A s}."],
    };

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

    public static string Render(string template, Fact fact) => template
        .Replace("{A S}", Capitalise(Article(fact.Subject)))
        .Replace("{A s}", Article(fact.Subject))
        .Replace("{A o}", Article(fact.Obj))
        .Replace("{S}", Capitalise(fact.Subject))
        .Replace("{s}", fact.Subject)
        .Replace("{o}", fact.Obj);

    /// <summary>"a dog", "an apple" (first-letter rule; good enough for the common nouns kept).</summary>
    static string Article(string noun) => ("aeiou".Contains(char.ToLowerInvariant(noun[0])) ? "an " : "a ") + noun;

    static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

/// <summary>
/// The "knowledge stream": facts (countries-list capitals, continents, currencies; WordNet definitions and hypernyms)
/// rendered with the training phrasings only, for mixing into the training corpus at a configurable fraction.
/// </summary>
public static class KnowledgeStream
{
    /// <summary>Sentences per document.</summary>
    public const int SentencesPerDocument = 8;

    /// <summary>
    /// Every fact in every training phrasing (so each fact is seen several ways, which Allen-Zhu &amp; Li 2023 find is
    /// what makes it extractable), shuffled by <paramref name="seed"/> and grouped into documents of
    /// <see cref="SentencesPerDocument"/> sentences joined by spaces.
    /// </summary>
    public static IReadOnlyList<string> TrainingDocuments(int seed) => TrainingDocuments(KnowledgeTask.Facts, seed);

    public static IReadOnlyList<string> TrainingDocuments(IReadOnlyList<Fact> facts, int seed)
    {
        var sentences = new List<string>();
        foreach (var fact in facts)
            foreach (var template in KnowledgeTemplates.Training[fact.Relation])
                sentences.Add(KnowledgeTemplates.Render(template, fact));
        new StableRandom(seed, "knowledge-stream").Shuffle(sentences);
        return sentences.Chunk(SentencesPerDocument).Select(chunk => string.Join(' ', chunk)).ToArray();
    }
}

/// <summary>
/// Knowledge recall as 4-way multiple choice with held-out question phrasings (see <see cref="KnowledgeTemplates"/>):
/// "Q: Which city is the capital of France?\nA:" → " Paris" against three other capitals.  Reports acc, acc_norm and
/// acc per relation.  Facts the model never saw (knowledge stream not mixed in) leave it at chance 0.25, which is the
/// point: the task measures how much of the stream a student absorbs per unit of compute.
/// </summary>
public sealed class KnowledgeTask : IEvaluationTask
{
    public const string TaskName = "knowledge";
    readonly IReadOnlyList<MultipleChoiceItem> items;
    static IReadOnlyList<Fact>? facts;

    public KnowledgeTask(IReadOnlyList<MultipleChoiceItem> items) => this.items = items;

    public static KnowledgeTask Load() => new(TaskData.LoadEmbedded<MultipleChoiceItem>(TaskData.KnowledgeFile));

    /// <summary>The committed fact table (facts.v1.jsonl).</summary>
    public static IReadOnlyList<Fact> Facts => facts ??= TaskData.LoadEmbedded<Fact>(TaskData.FactsFile);

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
            bool subjectAnswer = KnowledgeTemplates.AnswerIsSubject(relation);
            var answers = group.Select(f => subjectAnswer ? f.Subject : f.Obj).Distinct().ToList();
            var (question, answerTemplate) = KnowledgeTemplates.Evaluation[relation];
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
                items.Add(new MultipleChoiceItem($"{relation}-{fact.Subject}", relation, KnowledgeTemplates.Render(question, fact), choices, goldIndex));
            }
        }
        return items;
    }

    static string Answer(string template, string relation, Fact fact, string answer) =>
        KnowledgeTemplates.AnswerIsSubject(relation) ? template.Replace("{s}", answer) : template.Replace("{o}", answer);
}
