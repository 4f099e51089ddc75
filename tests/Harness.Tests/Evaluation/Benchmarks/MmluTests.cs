using System.Text.Json;
using Harness.Evaluation;
using Harness.Evaluation.Benchmarks;
using Harness.Results;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>
/// MMLU on hand-written fixture items (tests/fixtures/standard/mmlu: abstract_algebra and astronomy (stem),
/// world_religions (humanities), in cais/mmlu's schema): lm-eval's request strings written out by hand, first_n few-shot
/// from dev, and subject, category and group scores computed by hand.
/// </summary>
public class MmluTests
{
    static MmluBenchmark Load(int shots = 0, string? dir = null) =>
        (MmluBenchmark)StandardTasks.Load("mmlu", new StandardTaskOptions(dir ?? StandardBenchmarkTests.FixtureDir, shots));

    static MultipleChoiceBenchmark Subject(MmluBenchmark m, string name) => m.SubjectTasks.Single(t => t.Name == name);

    const string Algebra = "The following are multiple choice questions (with answers) about abstract algebra.\n\n";

    [Fact]
    public void Requests_are_lm_evals_default_template_with_the_subject_description()
    {
        var mmlu = Load();
        Assert.Equal(["mmlu_abstract_algebra", "mmlu_astronomy", "mmlu_world_religions"], mmlu.SubjectTasks.Select(t => t.Name));
        // question.strip(); the choices as they are (" 2" keeps its space); continuations " A" … " D".
        var r = Subject(mmlu, "mmlu_abstract_algebra").Requests(1);
        Assert.Equal(
        [
            (Algebra + "How many elements does the group Z_2 have?\nA. 1\nB.  2\nC. 3\nD. 4\nAnswer:", " A"),
            (Algebra + "How many elements does the group Z_2 have?\nA. 1\nB.  2\nC. 3\nD. 4\nAnswer:", " B"),
            (Algebra + "How many elements does the group Z_2 have?\nA. 1\nB.  2\nC. 3\nD. 4\nAnswer:", " C"),
            (Algebra + "How many elements does the group Z_2 have?\nA. 1\nB.  2\nC. 3\nD. 4\nAnswer:", " D"),
        ], r.Select(x => (x.Context, x.Continuation)));
        Assert.Equal(Algebra + "Which element is the identity of the integers under addition?\nA. 0\nB. 1\nC. -1\nD. 2\nAnswer:",
            Subject(mmlu, "mmlu_abstract_algebra").Requests(0)[0].Context);
        Assert.Equal("The following are multiple choice questions (with answers) about world religions.\n\nIn which city is the Kaaba?\nA. Medina\nB. Jerusalem\nC. Cairo\nD. Mecca\nAnswer:",
            Subject(mmlu, "mmlu_world_religions").Requests(0)[0].Context);
        Assert.Equal([3, 0], Subject(mmlu, "mmlu_world_religions").Docs.Select(d => d.Gold));
    }

    [Fact]
    public void Few_shot_examples_are_the_first_dev_items_in_order()
    {
        // first_n: the same first k dev items for every question, each "text Answer: <letter>" + "\n\n", after the description.
        var mmlu = Load(shots: 2);
        var algebra = Subject(mmlu, "mmlu_abstract_algebra");
        Assert.Equal(Algebra
            + "Is the set of even integers closed under addition?\nA. Yes\nB. No\nC. Only for positive integers\nD. Only for zero\nAnswer: A\n\n"
            + "What is the order of the element 2 in Z_4?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n"
            + "How many elements does the group Z_2 have?\nA. 1\nB.  2\nC. 3\nD. 4\nAnswer:", algebra.Requests(1)[2].Context);
        Assert.Equal([[0, 1], [0, 1]], Enumerable.Range(0, 2).Select(algebra.FewShotExamples));
        // Each subject has two dev items: three shots cannot be taken.
        var e = Assert.Throws<UserInputException>(() => Load(shots: 3));
        Assert.Contains("task 'mmlu_abstract_algebra': num_fewshot 3 needs at least 3 few-shot documents; the few-shot split has 2", e.Message);
    }

    [Fact]
    public void Subject_category_and_group_scores_are_lm_evals_size_weighted_means_with_pooled_stderrs()
    {
        // A scorer that always prefers " A": acc = share of gold A.  abstract_algebra golds [A, B] → 1/2 (n 2),
        // astronomy [A, A, C] → 2/3 (n 3), world_religions [D, A] → 1/2 (n 2).
        var scores = Load().Evaluate(new DelegateScorer(r => r.Continuation == " A" ? -0.5 : -1.5), null).ToDictionary(s => s.Task);
        Assert.Equal(["mmlu_abstract_algebra", "mmlu_astronomy", "mmlu_world_religions", "mmlu_stem", "mmlu_humanities", "mmlu"], scores.Keys);
        Assert.Equal(0.5, scores["mmlu_abstract_algebra"].Value);
        Assert.Equal(2.0 / 3, scores["mmlu_astronomy"].Value, 12);
        // Subject stderr (lm-eval's mean_stderr): [1, 0] → √(0.5 / 1 / 2) = 0.5; [1, 1, 0] → √((2/3) / 2 / 3) = 1/3.
        Assert.Equal(0.5, scores["mmlu_abstract_algebra"].StdErr, 12);
        Assert.Equal(1.0 / 3, scores["mmlu_astronomy"].StdErr, 12);
        // stem = (2·1/2 + 3·2/3) / 5 = 3/5; pooled stderr = √(((2−1)·0.5²·2 + (3−1)·(1/3)²·3) / (5 − 2) / 5) = √(7/90).
        Assert.Equal(0.6, scores["mmlu_stem"].Value, 12);
        Assert.Equal(Math.Sqrt(7.0 / 90), scores["mmlu_stem"].StdErr, 12);
        Assert.Equal(5, scores["mmlu_stem"].Items);
        Assert.Equal(0.5, scores["mmlu_humanities"].Value, 12);
        // mmlu aggregates the 3 subjects directly: (1 + 2 + 1) / 7 = 4/7; stderr √((0.5 + 2/3 + 0.5) / (7 − 3) / 7) = √(5/84).
        Assert.Equal(4.0 / 7, scores["mmlu"].Value, 12);
        Assert.Equal(Math.Sqrt(5.0 / 84), scores["mmlu"].StdErr, 12);
        Assert.Equal(7, scores["mmlu"].Items);
        Assert.All(scores.Values, s => Assert.Equal(0.25, s.Chance, 12));
        Assert.All(scores.Values, s => Assert.Equal("acc", s.Metric)); // MMLU reports acc only
    }

    [Fact]
    public void A_uniform_scorer_lands_at_chance_and_a_subset_is_drawn_over_all_items()
    {
        using var tmp = new TempDirectory();
        var rng = new Random(3);
        foreach (var subject in new[] { "anatomy", "philosophy" })
        {
            Directory.CreateDirectory(tmp.File($"mmlu/{subject}"));
            File.WriteAllLines(tmp.File($"mmlu/{subject}/test.jsonl"), Enumerable.Range(0, 200).Select(i =>
                JsonSerializer.Serialize(new { question = $"q {i}", subject, choices = new[] { "w", "x", "y", "z" }, answer = rng.Next(4) })));
        }
        var mmlu = Load(dir: tmp.Path);
        var acc = mmlu.Evaluate(new UniformScorer(256), null).Single(s => s.Task == "mmlu");
        Assert.Equal(0.25, acc.Chance);
        Assert.InRange(acc.Value, 0.25 - 4 * 0.0217, 0.25 + 4 * 0.0217); // ± 4 stderr of 400 items
        var subset = mmlu.Evaluate(new UniformScorer(256), 50).ToDictionary(s => s.Task);
        Assert.Equal(50, subset["mmlu_anatomy"].Items + subset["mmlu_philosophy"].Items); // both subjects drawn from
        Assert.Equal(50, subset["mmlu"].Items);
        Assert.Equal(subset["mmlu_anatomy"].Items, subset["mmlu_stem"].Items);
    }

    [Fact]
    public void The_all_config_is_split_by_its_subject_column_into_the_same_requests()
    {
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("mmlu/all"));
        var root = Path.Combine(StandardBenchmarkTests.FixtureDir, "mmlu");
        foreach (var split in new[] { "test", "dev" })
            File.WriteAllLines(tmp.File($"mmlu/all/{split}.jsonl"), new[] { "world_religions", "abstract_algebra", "astronomy" }
                .SelectMany(s => File.ReadAllLines(Path.Combine(root, s, $"{split}.jsonl"))));
        var fromAll = Load(shots: 1, dir: tmp.Path);
        var fromSubjects = Load(shots: 1);
        Assert.Equal(fromSubjects.SubjectTasks.Select(t => t.Name), fromAll.SubjectTasks.Select(t => t.Name));
        for (int s = 0; s < 3; s++)
            for (int i = 0; i < fromSubjects.SubjectTasks[s].ItemCount; i++)
                Assert.Equal(fromSubjects.SubjectTasks[s].Requests(i), fromAll.SubjectTasks[s].Requests(i));

        File.AppendAllLines(tmp.File("mmlu/all/test.jsonl"), ["""{"question": "q", "subject": "astrology", "choices": ["a", "b", "c"], "answer": 7}"""]);
        var bad = Assert.Throws<UserInputException>(() => Load(dir: tmp.Path));
        Assert.Contains("row 7, field 'choices': expected 4 choices, found 3", bad.Message);
        Assert.Contains("row 7, field 'answer': 7 is not a choice index (0..3)", bad.Message);
    }

    [Fact]
    public void Missing_data_names_the_layout_expected_and_results_json_gets_the_group_rows_and_n_shot()
    {
        using var tmp = new TempDirectory();
        var problems = TaskRegistry.Problems("mmlu", new StandardTaskOptions(tmp.Path));
        Assert.Contains(problems, p => p.Contains("abstract_algebra/test-00000-of-00001.parquet") && p.Contains("cais/mmlu") && p.Contains("all/test-*.parquet"));
        Directory.CreateDirectory(tmp.File("mmlu/anatomy"));
        File.WriteAllText(tmp.File("mmlu/anatomy/test.jsonl"), "");
        Assert.Empty(TaskRegistry.Problems("mmlu", new StandardTaskOptions(tmp.Path)));
        Assert.Contains(TaskRegistry.Problems("mmlu", new StandardTaskOptions(tmp.Path, 1)), p => p.Contains("anatomy/dev-*.parquet") && p.Contains("num_fewshot 1"));
        Assert.Empty(TaskRegistry.Problems("mmlu,arc_easy", new StandardTaskOptions(StandardBenchmarkTests.FixtureDir, 1)));

        var nShot = EvaluationOptions.NShot(["mmlu", "mmlu_stem", "mmlu_astronomy", "wikitext", "grammar"], 5);
        Assert.Equal(new Dictionary<string, int> { ["mmlu"] = 5, ["mmlu_stem"] = 5, ["mmlu_astronomy"] = 5, ["wikitext"] = 0, ["grammar"] = 0 }, nShot);
        var groups = MmluBenchmark.GroupSubtasks(["mmlu_astronomy", "mmlu_abstract_algebra", "mmlu_world_religions", "mmlu_stem", "mmlu"]);
        Assert.Equal(["mmlu_stem", "mmlu_humanities"], groups["mmlu"]);
        Assert.Equal(["mmlu_abstract_algebra", "mmlu_astronomy"], groups["mmlu_stem"]);
    }

    [Fact]
    public void Results_json_carries_subject_and_group_rows_with_groups_and_group_subtasks_as_lm_eval_writes_them()
    {
        var scores = Load(shots: 1).Evaluate(new DelegateScorer(r => r.Continuation == " A" ? -0.5 : -1.5), null);
        var rows = scores.Select(s => new EvalRow { Task = s.Task, TaskVersion = s.Version, Metric = s.Metric, Value = s.Value, StdErr = s.StdErr, Items = s.Items, Chance = s.Chance, HigherIsBetter = true }).ToArray();
        var tasks = rows.Select(r => r.Task).Distinct().ToArray();
        var file = LmEvalResults.FromRows(rows, EvaluationOptions.NShot(tasks, 1), new Dictionary<string, string>()) with { GroupSubtasks = EvaluationOptions.GroupSubtasks(tasks) };
        using var json = JsonDocument.Parse(file.ToJson());
        var root = json.RootElement;
        Assert.Equal(4.0 / 7, root.GetProperty("results").GetProperty("mmlu").GetProperty("acc,none").GetDouble(), 12);
        Assert.Equal(Math.Sqrt(5.0 / 84), root.GetProperty("groups").GetProperty("mmlu").GetProperty("acc_stderr,none").GetDouble(), 12);
        Assert.Equal(["mmlu", "mmlu_humanities", "mmlu_stem"], root.GetProperty("groups").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["mmlu_abstract_algebra", "mmlu_astronomy"], root.GetProperty("group_subtasks").GetProperty("mmlu_stem").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, root.GetProperty("n-shot").GetProperty("mmlu_world_religions").GetInt32());
        using var tmp = new TempDirectory();
        file.Write(tmp.File("results.json"));
        var back = LmEvalResults.Read(tmp.File("results.json"));
        Assert.Equal(["mmlu_stem", "mmlu_humanities"], back.GroupSubtasks["mmlu"]);
        Assert.Equal(0.6, back.Results["mmlu_stem"]["acc"], 12);
    }
}
