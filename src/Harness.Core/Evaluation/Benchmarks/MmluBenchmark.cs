using System.Text.Json;

namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// MMLU (Hendrycks et al. 2021, "Measuring Massive Multitask Language Understanding") as lm-evaluation-harness's
/// <c>mmlu</c> group scores it (v0.4.9.2, <c>lm_eval/tasks/mmlu/default/</c>): 57 subject tasks <c>mmlu_&lt;subject&gt;</c>
/// in four category groups <c>mmlu_stem</c>, <c>mmlu_other</c>, <c>mmlu_social_sciences</c>, <c>mmlu_humanities</c>.
/// <list type="bullet">
/// <item>request (<c>_default_template_yaml</c>): context = description + examples + "{question.strip()}\nA. {choices[0]}\nB. …\nD. {choices[3]}\nAnswer:",
/// continuations " A", " B", " C", " D"; gold = answer (0–3); metric acc only; chance 1/4;</item>
/// <item>description (<c>mmlu_&lt;subject&gt;.yaml</c>, written by <c>_generate_configs.py</c>): "The following are multiple
/// choice questions (with answers) about {subject with spaces}.\n\n";</item>
/// <item>few-shot: the <c>first_n</c> sampler on the <c>dev</c> split (5 per subject), so k-shot takes the first k;</item>
/// <item>groups (<c>_mmlu.yaml</c>, <c>_mmlu_stem.yaml</c>, …: <c>aggregate_metric_list: acc, weight_by_size: True</c>;
/// <c>lm_eval/evaluator_utils.py</c> <c>consolidate_group_results</c>): acc = Σ nᵢ accᵢ / Σ nᵢ over the group's subject
/// tasks (mmlu aggregates its 57 subjects directly, not its four categories), stderr = <see cref="LmEvalMetrics.PooledStdErr"/>.</item>
/// </list>
/// Data: Hugging Face <c>cais/mmlu</c> (MIT), either one folder per subject config (<c>DATA_DIR/mmlu/&lt;subject&gt;/test-*.parquet</c>,
/// <c>dev-*.parquet</c>: what lm-eval loads) or the <c>all</c> config (<c>DATA_DIR/mmlu/all/…</c>), split by its subject column.
/// The subjects present are scored; each row's n says how many items it covers.
/// </summary>
public sealed class MmluBenchmark : IEvaluationTask
{
    public const string TaskName = "mmlu";
    public const string AllConfig = "all";

    public static readonly BenchmarkSource Source = new("mmlu", "cais/mmlu (a config per subject, or config all)", "test", "dev",
        "lm_eval/tasks/mmlu/default/_default_template_yaml, mmlu_<subject>.yaml, _mmlu*.yaml", "1.0 (groups 2)",
        "Hendrycks et al. 2021, Measuring Massive Multitask Language Understanding", "MIT");

    /// <summary>The four categories in <c>_mmlu.yaml</c>'s order.</summary>
    public static readonly IReadOnlyList<string> Categories = ["stem", "other", "social_sciences", "humanities"];

    /// <summary>Subject → category, <c>lm_eval/tasks/mmlu/_generate_configs.py</c> (SUBJECTS).</summary>
    public static readonly IReadOnlyDictionary<string, string> Subjects = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["abstract_algebra"] = "stem", ["anatomy"] = "stem", ["astronomy"] = "stem", ["business_ethics"] = "other",
        ["clinical_knowledge"] = "other", ["college_biology"] = "stem", ["college_chemistry"] = "stem",
        ["college_computer_science"] = "stem", ["college_mathematics"] = "stem", ["college_medicine"] = "other",
        ["college_physics"] = "stem", ["computer_security"] = "stem", ["conceptual_physics"] = "stem",
        ["econometrics"] = "social_sciences", ["electrical_engineering"] = "stem", ["elementary_mathematics"] = "stem",
        ["formal_logic"] = "humanities", ["global_facts"] = "other", ["high_school_biology"] = "stem",
        ["high_school_chemistry"] = "stem", ["high_school_computer_science"] = "stem",
        ["high_school_european_history"] = "humanities", ["high_school_geography"] = "social_sciences",
        ["high_school_government_and_politics"] = "social_sciences", ["high_school_macroeconomics"] = "social_sciences",
        ["high_school_mathematics"] = "stem", ["high_school_microeconomics"] = "social_sciences",
        ["high_school_physics"] = "stem", ["high_school_psychology"] = "social_sciences", ["high_school_statistics"] = "stem",
        ["high_school_us_history"] = "humanities", ["high_school_world_history"] = "humanities", ["human_aging"] = "other",
        ["human_sexuality"] = "social_sciences", ["international_law"] = "humanities", ["jurisprudence"] = "humanities",
        ["logical_fallacies"] = "humanities", ["machine_learning"] = "stem", ["management"] = "other",
        ["marketing"] = "other", ["medical_genetics"] = "other", ["miscellaneous"] = "other",
        ["moral_disputes"] = "humanities", ["moral_scenarios"] = "humanities", ["nutrition"] = "other",
        ["philosophy"] = "humanities", ["prehistory"] = "humanities", ["professional_accounting"] = "other",
        ["professional_law"] = "humanities", ["professional_medicine"] = "other",
        ["professional_psychology"] = "social_sciences", ["public_relations"] = "social_sciences",
        ["security_studies"] = "social_sciences", ["sociology"] = "social_sciences", ["us_foreign_policy"] = "social_sciences",
        ["virology"] = "other", ["world_religions"] = "humanities",
    };

    static readonly FewShotRule FirstN = new(FirstN: true);

    readonly IReadOnlyList<MultipleChoiceBenchmark> subjectTasks;

    MmluBenchmark(IReadOnlyList<MultipleChoiceBenchmark> subjectTasks) => this.subjectTasks = subjectTasks;

    public string Name => TaskName;
    public int Version => 1;
    public IReadOnlyList<string> Metrics { get; } = ["acc"];
    public int ItemCount => subjectTasks.Sum(t => t.ItemCount);

    /// <summary>The subject tasks loaded (<c>mmlu_&lt;subject&gt;</c>), in subject order.</summary>
    public IReadOnlyList<MultipleChoiceBenchmark> SubjectTasks => subjectTasks;

    public static string SubjectTask(string subject) => $"mmlu_{subject}";
    public static string CategoryTask(string category) => $"mmlu_{category}";

    /// <summary>Every task name the group's rows carry: mmlu, its categories and its subjects.</summary>
    public static bool IsRowName(string task) =>
        task == TaskName || (task.StartsWith("mmlu_", StringComparison.Ordinal) && (Subjects.ContainsKey(task[5..]) || Categories.Contains(task[5..])));

    /// <summary>Group → its subtasks as lm-eval's results.json lists them (<c>group_subtasks</c>), for the subjects
    /// in <paramref name="rowTasks"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> GroupSubtasks(IEnumerable<string> rowTasks)
    {
        var present = rowTasks.Where(t => t.StartsWith("mmlu_", StringComparison.Ordinal) && Subjects.ContainsKey(t[5..])).Select(t => t[5..]).ToHashSet();
        if (present.Count == 0) return new Dictionary<string, IReadOnlyList<string>>();
        var groups = new Dictionary<string, IReadOnlyList<string>>
        {
            [TaskName] = Categories.Where(c => present.Any(s => Subjects[s] == c)).Select(CategoryTask).ToArray(),
        };
        foreach (var c in Categories.Where(c => present.Any(s => Subjects[s] == c)))
            groups[CategoryTask(c)] = present.Where(s => Subjects[s] == c).Order(StringComparer.Ordinal).Select(SubjectTask).ToArray();
        return groups;
    }

    /// <summary>lm-eval's per-subject description line.</summary>
    public static string Description(string subject) =>
        $"The following are multiple choice questions (with answers) about {subject.Replace('_', ' ')}.\n\n";

    /// <summary>
    /// <c>_default_template_yaml</c>: doc_to_text "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:",
    /// doc_to_choice ["A", "B", "C", "D"], doc_to_target answer.  Fields: question, subject, choices (4 strings), answer (0–3).
    /// </summary>
    public static LmEvalDoc Format(JsonElement row, int index, RowReader r)
    {
        var question = r.String(row, index, "question").Trim();
        var choices = r.Strings(row, index, "choices");
        if (choices.Count is not 0 and not 4) r.Invalid(index, "choices", $"expected 4 choices, found {choices.Count}");
        int answer = r.Integer(row, index, "answer");
        if (answer is < -1 or > 3) r.Invalid(index, "answer", $"{answer} is not a choice index (0..3)");
        string Choice(int i) => i < choices.Count ? choices[i] : "";
        var text = $"{question}\nA. {Choice(0)}\nB. {Choice(1)}\nC. {Choice(2)}\nD. {Choice(3)}\nAnswer:";
        return new LmEvalDoc(text, ["A", "B", "C", "D"], Math.Clamp(answer, 0, 3));
    }

    /// <summary>Where the test split (and the dev split for few-shot) lie, or the problems: the <c>all</c> config if
    /// present, else every subject folder that holds a test split.  Reads no file.</summary>
    static (string? Layout, IReadOnlyList<string> Subjects, List<string> Problems) Find(string dataDir, int numFewShot)
    {
        var folder = Path.Combine(dataDir, Source.Folder);
        var problems = new List<string>();
        var all = Path.Combine(folder, AllConfig);
        if (DatasetFiles.Find(all, "test").Count > 0)
        {
            if (numFewShot > 0 && DatasetFiles.Find(all, "dev").Count == 0)
                problems.Add($"task 'mmlu': num_fewshot {numFewShot} takes examples from the dev split; expected one of {string.Join(", ", DatasetFiles.ExpectedNames("dev").Select(n => Path.Combine(all, n)))} (cais/mmlu, config all).");
            return (AllConfig, [], problems);
        }
        var subjects = Subjects.Keys.Where(s => DatasetFiles.Find(Path.Combine(folder, s), "test").Count > 0).ToArray();
        if (subjects.Length == 0)
        {
            problems.Add($"task 'mmlu': no test split in {folder}; expected {Path.Combine(folder, "<subject>", "test-*.parquet")} (or test.parquet / test.jsonl) for the subjects of cais/mmlu (licence MIT), e.g. {Path.Combine(folder, "abstract_algebra", "test-00000-of-00001.parquet")}, or the config all in {Path.Combine(all, "test-*.parquet")}.");
            return (null, [], problems);
        }
        if (numFewShot > 0)
            foreach (var s in subjects.Where(s => DatasetFiles.Find(Path.Combine(folder, s), "dev").Count == 0))
                problems.Add($"task 'mmlu': num_fewshot {numFewShot} takes examples from the dev split; no {Path.Combine(folder, s, "dev-*.parquet")} (or dev.parquet / dev.jsonl).");
        return ("subjects", subjects, problems);
    }

    /// <summary>Problems that would stop <see cref="Load"/>.  Reads no file.</summary>
    public static IReadOnlyList<string> Check(string dataDir, int numFewShot) => Find(dataDir, numFewShot).Problems;

    /// <summary>Reads the subjects present and builds the group.</summary>
    public static MmluBenchmark Load(string dataDir, int numFewShot, int seed)
    {
        var (layout, subjects, problems) = Find(dataDir, numFewShot);
        if (problems.Count > 0) throw new UserInputException("task 'mmlu' cannot be loaded.", problems);
        var folder = Path.Combine(dataDir, Source.Folder);
        var tasks = new List<MultipleChoiceBenchmark>();
        if (layout == AllConfig)
        {
            var all = Path.Combine(folder, AllConfig);
            var test = BySubject(DatasetFiles.Find(all, "test"));
            var dev = numFewShot > 0 ? BySubject(DatasetFiles.Find(all, "dev")) : [];
            foreach (var (subject, docs) in test)
            {
                var pool = numFewShot > 0 ? dev.GetValueOrDefault(subject) ?? throw new UserInputException($"task 'mmlu': the dev split in {all} has no rows of subject '{subject}'; num_fewshot {numFewShot} needs them.") : [];
                tasks.Add(Subject(subject, docs, pool, numFewShot, seed));
            }
        }
        else
            foreach (var subject in subjects)
            {
                var dir = Path.Combine(folder, subject);
                var docs = MultipleChoiceBenchmark.ReadDocs(DatasetFiles.Find(dir, "test"), Format, Source.Dataset);
                var pool = numFewShot > 0 ? MultipleChoiceBenchmark.ReadDocs(DatasetFiles.Find(dir, "dev"), Format, Source.Dataset) : [];
                tasks.Add(Subject(subject, docs, pool, numFewShot, seed));
            }
        return new MmluBenchmark(tasks);
    }

    static MultipleChoiceBenchmark Subject(string subject, IReadOnlyList<LmEvalDoc> docs, IReadOnlyList<LmEvalDoc> pool, int numFewShot, int seed) =>
        new(SubjectTask(subject), Source, docs, pool, FirstN, numFewShot, seed, reportAccNorm: false, Description(subject));

    /// <summary>The config all's rows grouped by their subject column (file order kept), every subject checked.</summary>
    static SortedDictionary<string, List<LmEvalDoc>> BySubject(IReadOnlyList<string> files)
    {
        var docs = MultipleChoiceBenchmark.ReadDocs(files, Format, Source.Dataset);
        var reader = new RowReader(string.Join(" + ", files));
        var result = new SortedDictionary<string, List<LmEvalDoc>>(StringComparer.Ordinal);
        for (int i = 0; i < docs.Count; i++)
        {
            var subject = reader.String(docs[i].Row!.Value, i, "subject");
            if (!Subjects.ContainsKey(subject)) { reader.Invalid(i, "subject", $"\"{subject}\" is not one of MMLU's 57 subjects"); continue; }
            if (!result.TryGetValue(subject, out var list)) result[subject] = list = [];
            list.Add(docs[i]);
        }
        reader.ThrowIfAny("the config all of cais/mmlu has a subject column naming one of the 57 subjects (lm_eval/tasks/mmlu/_generate_configs.py).");
        return result;
    }

    /// <summary>Scores the subjects (on a <paramref name="maxItems"/> subset of all items, drawn as every task's is), then
    /// the categories and mmlu from the subject rows as lm-eval aggregates groups.</summary>
    public IReadOnlyList<TaskScore> Evaluate(ILanguageModelScorer scorer, int? maxItems)
    {
        var all = subjectTasks.SelectMany((t, s) => Enumerable.Range(0, t.ItemCount).Select(i => (Subject: s, Index: i))).ToArray();
        var chosen = EvaluationMetrics.Subset(all, maxItems, Name);
        var scores = new List<TaskScore>();
        var subjectAcc = new List<(string Category, TaskScore Acc)>();
        foreach (var g in chosen.GroupBy(x => x.Subject).OrderBy(g => g.Key))
        {
            var task = subjectTasks[g.Key];
            var acc = task.Score(scorer, g.Select(x => x.Index).Order().ToArray()).Single();
            scores.Add(acc);
            subjectAcc.Add((Subjects[task.Name[5..]], acc));
        }
        foreach (var c in Categories)
        {
            var members = subjectAcc.Where(s => s.Category == c).Select(s => s.Acc).ToArray();
            if (members.Length > 0) scores.Add(Group(CategoryTask(c), members));
        }
        if (subjectAcc.Count > 0) scores.Add(Group(TaskName, subjectAcc.Select(s => s.Acc).ToArray()));
        return scores;
    }

    TaskScore Group(string name, IReadOnlyList<TaskScore> subjects)
    {
        var sizes = subjects.Select(s => s.Items).ToArray();
        return new TaskScore(name, Version, "acc", LmEvalMetrics.WeightedMean(subjects.Select(s => s.Value).ToArray(), sizes),
            LmEvalMetrics.PooledStdErr(subjects.Select(s => s.StdErr).ToArray(), sizes), sizes.Sum(),
            LmEvalMetrics.WeightedMean(subjects.Select(s => s.Chance).ToArray(), sizes), true);
    }
}
