using Harness.Evaluation;
using Harness.Data.Mixes;
using Harness.Evaluation.Tasks;

namespace Harness.Tests.Evaluation;

public class TaskTests
{
    [Fact]
    public void Registry_parses_all_and_lists_valid_names_for_unknown_ones()
    {
        Assert.Equal(["grammar", "knowledge", "arithmetic_2d"], TaskRegistry.Parse("all").Select(t => t.Name));
        Assert.Equal(["knowledge", "arithmetic_3d"], TaskRegistry.Parse(" knowledge , arithmetic_3d").Select(t => t.Name));
        var e = Assert.Throws<UserInputException>(() => TaskRegistry.Parse("grammar,lambada,nope"));
        Assert.Contains("lambada", e.Message);
        Assert.Contains("nope", e.Message);
        Assert.Contains("knowledge", e.Message);
        Assert.Throws<UserInputException>(() => TaskRegistry.Parse("last_word"));
        Assert.Throws<UserInputException>(() => TaskRegistry.Get("arithmetic_9d"));
        Assert.Equal("grammar", TaskRegistry.Get("grammar").Name);
        var withText = TaskRegistry.Parse("all", HeldOutTexts(), lastWordItems: 20);
        Assert.Equal("last_word", withText[^1].Name);
    }

    [Fact]
    public void Item_counts_are_in_the_planned_ranges()
    {
        Assert.InRange(GrammarTask.Load().ItemCount, 200, 400);
        Assert.InRange(KnowledgeTask.Load().ItemCount, 800, 1300);
        Assert.Equal(ArithmeticTask.DefaultItems, new ArithmeticTask(2).ItemCount);
        Assert.Equal(ArithmeticTask.DefaultItems, new ArithmeticTask(3).ItemCount);
        Assert.InRange(new ArithmeticTask(1).ItemCount, 10, 50);
        foreach (var item in GrammarTask.Load().Items.Concat(KnowledgeTask.Load().Items))
        {
            Assert.InRange(item.Gold, 0, item.Choices.Count - 1);
            Assert.Equal(item.Choices.Count, item.Choices.Distinct().Count());
            Assert.NotEmpty(item.Context);
        }
    }

    [Fact]
    public void Knowledge_evaluation_phrasings_never_occur_in_training_documents()
    {
        var training = string.Join("\u0001", KnowledgeStream.TrainingDocuments(seed: 3));
        var items = KnowledgeTask.Load().Items;
        Assert.All(items, item =>
        {
            Assert.DoesNotContain(item.Context + item.Choices[item.Gold], training, StringComparison.Ordinal);
            Assert.DoesNotContain(item.Context, training, StringComparison.Ordinal);
        });
        // …while every fact does occur in training (otherwise the task could not be learned from the stream).
        foreach (var fact in KnowledgeTask.Facts.Take(50))
            Assert.Contains(fact.Obj, training, StringComparison.Ordinal);
    }

    [Fact]
    public void Knowledge_stream_is_deterministic_in_its_seed()
    {
        var a = KnowledgeStream.TrainingDocuments(1);
        Assert.Equal(a, KnowledgeStream.TrainingDocuments(1));
        Assert.NotEqual(a, KnowledgeStream.TrainingDocuments(2));
        Assert.Equal((KnowledgeTask.Facts.Count * 3 + KnowledgeStream.SentencesPerDocument - 1) / KnowledgeStream.SentencesPerDocument, a.Count);
    }

    [Fact]
    public void Arithmetic_training_and_evaluation_problems_are_disjoint_and_deterministic()
    {
        foreach (int digits in new[] { 1, 2, 3 })
        {
            var task = new ArithmeticTask(digits);
            var evalPrompts = task.Problems.Select(p => p.Prompt).ToHashSet();
            var docs = ArithmeticStream.TrainingDocuments(seed: 5, count: 20_000, digits);
            Assert.Equal(docs, ArithmeticStream.TrainingDocuments(seed: 5, count: 20_000, digits));
            // A document "Q: 347 + 128 = A: 475" asks the prompt "Q: 347 + 128 = A:"; no document asks an evaluation prompt.
            static string PromptOf(string document) => document[..(document.IndexOf("A:", StringComparison.Ordinal) + 2)];
            Assert.Contains(PromptOf($"{task.Problems[0].Prompt} {task.Problems[0].Answer}"), evalPrompts);   // the check can match
            Assert.DoesNotContain(docs, d => evalPrompts.Contains(PromptOf(d)));
            Assert.All(task.Problems, p => Assert.True(p.IsHeldOut));
            Assert.Equal(task.Problems, new ArithmeticTask(digits).Problems);
            Assert.Equal(task.Problems.Count, task.Problems.Distinct().Count());
        }
        Assert.Equal("Q: 347 + 128 = A: 475", $"{new ArithmeticProblem(347, '+', 128).Prompt} {new ArithmeticProblem(347, '+', 128).Answer}");
        Assert.Matches(@"^Q: \d\d [+-] \d\d = A: \d+$", ArithmeticStream.TrainingDocuments(1, 1, 2)[0]);
    }

    [Fact]
    public void Arithmetic_exact_match_and_choice_use_the_right_answers()
    {
        var task = new ArithmeticTask(2);
        var answers = task.Problems.ToDictionary(p => p.Prompt, p => p.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // An oracle: the true answer has the highest log-probability and is its greedy continuation.
        var oracle = new DelegateScorer(r => r.Continuation.Trim() == answers[r.Context] ? -1 : -9,
                                        isGreedy: r => r.Continuation == " " + answers[r.Context]);
        var scores = task.Evaluate(oracle, maxItems: 50);
        Assert.All(scores.Where(s => s.Metric != "task_loss"), s => Assert.Equal(1.0, s.Value));
        Assert.InRange(scores.Single(s => s.Metric == "task_loss").Value, 0, 0.05); // −ln p(gold | choices) of a scorer that prefers the gold answer
        // maxItems is honoured: the overall metrics score exactly 50 items, and the per-operation ones split those 50.
        var byMetric = scores.ToDictionary(s => s.Metric);
        Assert.All(new[] { "exact_match", "acc", "acc_norm", "task_loss" }, m => Assert.Equal(50, byMetric[m].Items));
        Assert.Equal(50, byMetric["acc_add"].Items + byMetric["acc_sub"].Items);
        Assert.InRange(byMetric["acc_add"].Items, 1, 49);
        var uniform = task.Evaluate(new UniformScorer(256), maxItems: null).ToDictionary(s => s.Metric);
        Assert.Equal(0.0, uniform["exact_match"].Value);
        Assert.InRange(uniform["acc"].Value, 0.1, 0.45);
    }

    [Fact]
    public void Uniform_scorer_sits_near_chance_on_the_grammar_and_knowledge_tasks()
    {
        foreach (var task in new IEvaluationTask[] { GrammarTask.Load(), KnowledgeTask.Load() })
        {
            var acc = task.Evaluate(new UniformScorer(256), null).Single(s => s.Metric == "acc_norm");
            // Per-byte normalised uniform log-probs all tie, so argmax takes the first choice: gold is there by chance.
            Assert.InRange(acc.Value, acc.Chance - 4 * acc.StdErr, acc.Chance + 4 * acc.StdErr);
        }
    }

    static string[] HeldOutTexts() =>
    [
        string.Join(" ", Enumerable.Range(0, 40).Select(i => i % 7 == 6 ? $"word{i} finished." : $"Alpha beta gamma delta epsilon zeta{i}")),
        "The little girl walked along the river with her grandmother every morning. They talked about birds, fish and flowers. " +
        "One morning the grandmother stopped and pointed at a heron standing in the water. The girl watched the heron for a long time. " +
        "When it finally flew away, she turned to her grandmother and said that she wanted to become a painter of birds.",
    ];

    [Fact]
    public void Last_word_items_end_before_the_final_word_and_are_deterministic()
    {
        var task = LastWordTask.FromHeldOutTexts(HeldOutTexts(), seed: 2, maxItems: 10);
        Assert.InRange(task.ItemCount, 3, 10);
        foreach (var item in task.Items)
        {
            Assert.Equal(" " + item.Target, item.Choice.Choices[item.Choice.Gold]);
            Assert.Equal(4, item.Choice.Choices.Distinct().Count());
            Assert.False(char.IsWhiteSpace(item.Context[^1]));
            Assert.True(item.Target.All(char.IsLetter) && item.Target.Length >= 3);
        }
        var again = LastWordTask.FromHeldOutTexts(HeldOutTexts(), seed: 2, maxItems: 10);
        Assert.Equal(task.Items.Select(i => i.Choice.Id + string.Join("|", i.Choice.Choices)), again.Items.Select(i => i.Choice.Id + string.Join("|", i.Choice.Choices)));
        var targets = task.Items.ToDictionary(i => i.Context, i => i.Target);
        var scores = task.Evaluate(new DelegateScorer(r => r.Continuation == " " + targets[r.Context] ? 0 : -5, isGreedy: r => r.Continuation == " " + targets[r.Context]), null);
        Assert.All(scores.Where(s => s.Metric != "task_loss"), s => Assert.Equal(1.0, s.Value));
        Assert.InRange(scores.Single(s => s.Metric == "task_loss").Value, 0, 0.05); // −ln p(gold | choices) of a scorer that prefers the gold answer
        // exact_match reads is_greedy of the gold continuation only: a scorer greedy on a distractor scores 0 there.
        var wrongGreedy = task.Evaluate(new DelegateScorer(r => r.Continuation == " " + targets[r.Context] ? 0 : -5, isGreedy: r => r.Continuation != " " + targets[r.Context]), null)
                              .ToDictionary(s => s.Metric);
        Assert.Equal(0.0, wrongGreedy["exact_match"].Value);
        Assert.Equal(1.0, wrongGreedy["acc"].Value);
    }

    [Fact]
    public void Runner_turns_scores_into_eval_rows()
    {
        var rows = EvaluationRunner.Run(new UniformScorer(256), [new ArithmeticTask(1)], "unit-1", "scratch", EvaluationPoint.Curve(40, 1234),
                                        new Harness.Config.EvaluationSpec { CurveSubset = 5 });
        Assert.Equal(["exact_match", "acc", "acc_norm", "task_loss", "acc_add", "acc_sub"], rows.Select(r => r.Metric));
        Assert.All(rows, r =>
        {
            Assert.Equal("unit-1", r.UnitKey);
            Assert.Equal("arithmetic_1d", r.Task);
            Assert.Equal(new ArithmeticTask(1).Version, r.TaskVersion);
            Assert.Equal(40, r.Step);
            Assert.Equal(1234, r.Tokens);
            Assert.True(r.Subset);
            Assert.False(r.IsFinal);
        });
        Assert.Equal(5, rows[0].Items);
    }
}
