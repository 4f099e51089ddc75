using System.Text.Json;
using Harness.Evaluation;
using Harness.Evaluation.Benchmarks;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>
/// The standard tasks on hand-written fixture items (tests/fixtures/standard, each dataset's published schema): the
/// exact request strings lm-eval builds from them, written out by hand, and scores computed by hand.
/// </summary>
public class StandardBenchmarkTests
{
    internal static string FixtureDir
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "fixtures", "standard");
        }
    }

    static StandardTaskOptions Options(int shots = 0, string? dir = null) => new(dir ?? FixtureDir, shots);

    static MultipleChoiceBenchmark Mc(string name, int shots = 0) => (MultipleChoiceBenchmark)StandardTasks.Load(name, Options(shots));

    static (string, string)[] Pairs(IReadOnlyList<LoglikelihoodRequest> rs) => rs.Select(r => (r.Context, r.Continuation)).ToArray();

    [Fact]
    public void HellaSwag_requests_follow_lm_eval_preprocessing()
    {
        var task = Mc("hellaswag");
        Assert.Equal(
        [
            ("Baking cookies: A woman pours flour into a bowl. She", " stirs in two eggs with a wooden spoon."),
            ("Baking cookies: A woman pours flour into a bowl. She", " drives the bowl to the airport."),
            ("Baking cookies: A woman pours flour into a bowl. She", " paints the flour blue. Step two."),
            ("Baking cookies: A woman pours flour into a bowl. She", " sings to the oven."),
        ], Pairs(task.Requests(0)));
        // " [title]" → ". ", "[header]"/"[step]" dropped, double spaces halved, ctx_b capitalised as Python does ("THEN" → "Then").
        Assert.Equal(
        [
            ("Personal Care and Style: How to tie a scarf. Fold the scarf in half. Then loop it", " around your neck twice."),
            ("Personal Care and Style: How to tie a scarf. Fold the scarf in half. Then loop it", "  into the washing machine."),
            ("Personal Care and Style: How to tie a scarf. Fold the scarf in half. Then loop it", " through the loop and pull it snug."),
            ("Personal Care and Style: How to tie a scarf. Fold the scarf in half. Then loop it", " under the sofa."),
        ], Pairs(task.Requests(1)));
        Assert.Equal([0, 2], task.Docs.Select(d => d.Gold));
    }

    [Fact]
    public void Arc_piqa_sciq_and_openbookqa_requests_are_lm_evals()
    {
        Assert.Equal(
        [
            ("Question: What is the boiling point of pure water at sea level?\nAnswer:", " 50 °C"),
            ("Question: What is the boiling point of pure water at sea level?\nAnswer:", " 100 °C"),
            ("Question: What is the boiling point of pure water at sea level?\nAnswer:", " 150 °C"),
        ], Pairs(Mc("arc_easy").Requests(1)));
        Assert.Equal(1, Mc("arc_easy").Docs[1].Gold); // answerKey "2" among labels 1, 2, 3
        Assert.Equal(("Question: Which change is chemical?\nAnswer:", " water boiling"), Pairs(Mc("arc_challenge").Requests(1))[4]);
        Assert.Equal(
        [
            ("Question: Keep bread fresh for longer\nAnswer:", " Store it in a sealed bag."),
            ("Question: Keep bread fresh for longer\nAnswer:", " Leave it on a sunny windowsill."),
        ], Pairs(Mc("piqa").Requests(0)));
        var sciq = Mc("sciq");
        Assert.Equal(
        [
            ("Gravity is the force that pulls objects toward each other.\nQuestion: What force pulls objects toward Earth?\nAnswer:", " friction"),
            ("Gravity is the force that pulls objects toward each other.\nQuestion: What force pulls objects toward Earth?\nAnswer:", " tension"),
            ("Gravity is the force that pulls objects toward each other.\nQuestion: What force pulls objects toward Earth?\nAnswer:", " magnetism"),
            ("Gravity is the force that pulls objects toward each other.\nQuestion: What force pulls objects toward Earth?\nAnswer:", " gravity"),
        ], Pairs(sciq.Requests(0)));
        Assert.Equal("\nQuestion: What is the center of an atom called?\nAnswer:", sciq.Requests(1)[0].Context); // empty support
        Assert.Equal([3, 3], sciq.Docs.Select(d => d.Gold));
        Assert.Equal(
        [
            ("A magnet will stick to", " a wooden table"), ("A magnet will stick to", " a steel nail"),
            ("A magnet will stick to", " a glass cup"), ("A magnet will stick to", " a paper towel"),
        ], Pairs(Mc("openbookqa").Requests(0)));
        Assert.Equal(2, Mc("openbookqa").Docs[1].Gold);
    }

    [Fact]
    public void WinoGrande_uses_partial_evaluation_with_the_option_in_the_context()
    {
        var task = Mc("winogrande");
        Assert.Equal(
        [
            ("The trophy did not fit in the suitcase because the trophy", " was too small."),
            ("The trophy did not fit in the suitcase because the suitcase", " was too small."),
        ], Pairs(task.Requests(0)));
        Assert.Equal(
        [
            ("Maria thanked Sara because Maria", " had lent her an umbrella."),
            ("Maria thanked Sara because Sara", " had lent her an umbrella."),
        ], Pairs(task.Requests(1)));
        Assert.Equal(["acc"], task.Metrics);
        // The shared continuation is scored; the higher log-likelihood picks the option.
        var scorer = new DelegateScorer(r => r.Context.EndsWith("suitcase") || r.Context.EndsWith("Maria") ? -1.0 : -2.0);
        var acc = Assert.Single(task.Evaluate(scorer, null));
        Assert.Equal(0.5, acc.Value);
        Assert.Equal(0.5, acc.Chance);
    }

    [Fact]
    public void Lambada_context_drops_the_last_word_and_the_target_keeps_its_space()
    {
        var task = (LambadaBenchmark)StandardTasks.Load("lambada_openai", Options());
        Assert.Equal([("She opened the back door and called the dog by his name,", " Rex")], Pairs(task.Requests(0)));
        Assert.Equal([("The baker took the bread out of the oven and set it on the counter to cool. Later that night he sliced the", " bread")], Pairs(task.Requests(1)));
        // perplexity = exp(−mean ll) = exp(−(−1 − 3)/2) = e²; acc = share of greedy targets = 1/2.
        var scorer = new DelegateScorer(r => r.Continuation == " Rex" ? -1.0 : -3.0, isGreedy: r => r.Continuation == " Rex");
        var scores = task.Evaluate(scorer, null).ToDictionary(s => s.Metric);
        Assert.Equal(Math.Exp(2), scores["perplexity"].Value, 12);
        Assert.False(scores["perplexity"].HigherIsBetter);
        Assert.Equal(0.5, scores["acc"].Value);
        Assert.Equal(0.0, scores["acc"].Chance);
    }

    [Fact]
    public void WikiText_detokenises_pages_and_weights_perplexity_by_words_and_bytes_of_the_original_page()
    {
        // Expected strings: lm-eval's wikitext_detokenizer applied by hand to the two fixture pages.
        Assert.Equal(" = Tiny Island =\n\nTiny Island is a small island shaped like a boot, with 3,000 people and a 12-metre lighthouse.\n\n== History ==\n\nThe island was settled in 1850 (by fishermen).\n",
            Formats.WikiTextDetokenize(" = Tiny Island = \n \n Tiny Island is a small island shaped like a boot , with 3 @,@ 000 people and a 12 @-@ metre lighthouse . \n \n = = History = = \n \n The island was settled in 1850 ( by fishermen ) . \n"));
        Assert.Equal(" = The Quiet River =\n\nThe Quiet River flows for 45.5 km through \"green hills\". Its water is 12°C in spring.\n",
            Formats.WikiTextDetokenize(" = The Quiet River = \n \n The Quiet River flows for 45 @.@ 5 km through \" green hills \" . Its water is 12 ° C in spring . \n"));
        Assert.Equal(4, Formats.WikiTextWords(" a b c")); // Python's re.split(r"\s+") keeps the empty first field
        var task = (WikiTextBenchmark)StandardTasks.Load("wikitext", Options());
        var pages = File.ReadLines(Path.Combine(FixtureDir, "wikitext", "test.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("page").GetString()!).ToArray();
        // Known log-likelihoods −100 and −50: word_perplexity = exp(150 / Σ words), bits_per_byte = 150 / Σ bytes / ln 2.
        var scorer = new DelegateScorer(_ => 0, rollingLogProb: t => t.Contains("Tiny Island") ? -100.0 : -50.0);
        var scores = task.Evaluate(scorer, null).ToDictionary(s => s.Metric);
        double words = pages.Sum(Formats.WikiTextWords), bytes = pages.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p));
        Assert.Equal((45 + 31, 201 + 123), ((int)words, (int)bytes)); // Python: len(re.split(r"\s+", page)), len(page.encode())
        Assert.Equal(Math.Exp(150 / words), scores["word_perplexity"].Value, 12);
        Assert.Equal(Math.Exp(150 / bytes), scores["byte_perplexity"].Value, 12);
        Assert.Equal(150 / bytes / Math.Log(2), scores["bits_per_byte"].Value, 12);
        Assert.All(scorer.Seen.Cast<string>(), s => Assert.DoesNotContain(" @,@ ", s)); // the model sees detokenised text
    }

    [Fact]
    public void Acc_norm_divides_by_the_characters_of_the_choice_without_the_delimiter()
    {
        // arc_easy item 2: choices "50 °C" (5 characters, 6 bytes), "100 °C" (6), "150 °C" (6); gold = 1.
        // ll = −6, −6.9, −9: acc picks 0 (wrong); per character −1.2, −1.15, −1.5 picks 1 (right).  Per byte of
        // " 50 °C" (7) and " 100 °C" (8) it would pick 0: −0.857 > −0.8625.  Item 1 (gold 1): ll −3 for
        // " carbon dioxide", −5 otherwise → acc and acc_norm right.  So acc = 1/2, acc_norm = 2/2.
        var task = Mc("arc_easy");
        var lls = new Dictionary<string, double> { [" 50 °C"] = -6, [" 100 °C"] = -6.9, [" 150 °C"] = -9, [" carbon dioxide"] = -3 };
        var scores = task.Evaluate(new DelegateScorer(r => lls.GetValueOrDefault(r.Continuation, -5)), null).ToDictionary(s => s.Metric);
        Assert.Equal(0.5, scores["acc"].Value);
        Assert.Equal(1.0, scores["acc_norm"].Value);
        Assert.Equal((0.25 + 1.0 / 3) / 2, scores["acc"].Chance, 12);
        Assert.Equal(Math.Sqrt(0.5 / 2), scores["acc"].StdErr, 12); // lm-eval's mean_stderr: sample sd (n−1) / √n
    }

    [Fact]
    public void Acc_norm_counts_code_points_as_pythons_len_not_utf16_units_or_bytes()
    {
        // lm-eval v0.4.9.2 lm_eval/api/task.py: completion_len = np.array([float(len(i)) for i in choices]).
        // "🙂🙂": len 2 in Python, 4 UTF-16 units, 8 UTF-8 bytes; "abc": 3 of each.  ll −2.5 and −3.3:
        // per code point −1.25 < −1.1 picks "abc" (gold); per UTF-16 unit (−0.625) or per byte (−0.3125) would pick "🙂🙂".
        Assert.Equal(2, LmEvalMetrics.CodePoints("🙂🙂"));
        Assert.Equal(8, System.Text.Encoding.UTF8.GetByteCount("🙂🙂"));
        var (acc, accNorm) = LmEvalMetrics.Score([-2.5, -3.3], ["🙂🙂", "abc"], gold: 1);
        Assert.False(acc);   // raw ll picks choice 0
        Assert.True(accNorm);
        // Through a task: an OpenBookQA item whose choices are non-ASCII ("café" 4 code points, 5 bytes).
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("openbookqa"));
        File.WriteAllText(tmp.File("openbookqa/test.jsonl"), System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "x", question_stem = "Where is coffee served?", choices = new { text = new[] { "café", "bar" }, label = new[] { "A", "B" } }, answerKey = "B",
        }) + "\n");
        // ll −4.5 for " café" and −3 for " bar" (gold): per character −1.125 < −1 picks bar; per byte of "café" (5) it
        // would be −0.9 > −1 and pick café, so acc_norm is 1 only when dividing by characters.
        var task = StandardTasks.Load("openbookqa", new StandardTaskOptions(tmp.Path));
        var scores = task.Evaluate(new DelegateScorer(r => r.Continuation == " café" ? -4.5 : -3.0), null).ToDictionary(s => s.Metric);
        Assert.Equal(1.0, scores["acc"].Value);
        Assert.Equal(1.0, scores["acc_norm"].Value);
    }

    [Fact]
    public void A_constant_scorer_picks_the_first_choice_and_lands_at_chance_on_balanced_labels()
    {
        // Ties go to the first choice (numpy argmax): on the fixtures acc = share of items whose gold is 0.
        var hs = Mc("hellaswag").Evaluate(new DelegateScorer(_ => -1), null).ToDictionary(s => s.Metric);
        Assert.Equal(0.5, hs["acc"].Value);
        Assert.Equal(0.25, hs["acc"].Chance);
        // 400 PIQA items with seeded random labels: a uniform scorer's accuracy is the chance level 1/2 (± 4 stderr).
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("piqa"));
        var rng = new Random(5);
        File.WriteAllLines(tmp.File("piqa/validation.jsonl"), Enumerable.Range(0, 400).Select(i =>
            JsonSerializer.Serialize(new { goal = $"goal {i}", sol1 = $"first way {i}", sol2 = $"second way {i}", label = rng.Next(2) })));
        var task = StandardTasks.Load("piqa", new StandardTaskOptions(tmp.Path));
        var acc = task.Evaluate(new UniformScorer(256), null).Single(s => s.Metric == "acc");
        Assert.Equal(0.5, acc.Chance);
        Assert.InRange(acc.Value, 0.5 - 4 * 0.025, 0.5 + 4 * 0.025);
    }

    [Fact]
    public void Few_shot_examples_come_from_the_training_split_seeded_and_formatted_as_lm_eval_does()
    {
        // lm-eval: random.Random(1234).sample(train, 1) per test document in order → train[1], then train[0]
        // (python3 -c "import random; r = random.Random(1234); print([r.sample(range(2), 1) for _ in range(2)])").
        var task = Mc("arc_easy", shots: 1);
        Assert.Equal("Question: What do bees collect from flowers?\nAnswer: nectar\n\nQuestion: Which gas do plants take in from the air to make food?\nAnswer:",
            task.Requests(0)[0].Context);
        Assert.Equal("Question: Which organ pumps blood through the body?\nAnswer: heart\n\nQuestion: What is the boiling point of pure water at sea level?\nAnswer:",
            task.Requests(1)[0].Context);
        Assert.Equal(task.Requests(1)[0].Context, Mc("arc_easy", shots: 1).Requests(1)[0].Context); // seeded: the same draw every time
        // WinoGrande draws 3 of its 3 training rows (k + 1, test_split unset) and keeps 2: sample(range(3), 3) = [1, 0, 2]
        // for document 0; each example is the gold option's context + " " + the shared target.
        var wino = Mc("winogrande", shots: 2).Requests(0);
        Assert.Equal("Tom gave Ben his coat because Ben was cold.\n\nThe cup fell off the shelf because the shelf was wobbly.\n\nThe trophy did not fit in the suitcase because the trophy", wino[0].Context);
        var e = Assert.Throws<UserInputException>(() => StandardTasks.Load("arc_easy", Options(shots: 5)));
        Assert.Contains("few-shot split has 2", e.Message);
        var extra = Assert.Throws<UserInputException>(() => StandardTasks.Load("winogrande", Options(shots: 3)));
        Assert.Contains("needs at least 4 few-shot documents (lm-eval draws one more than it keeps", extra.Message);
    }

    /// <summary>A PIQA-schema folder: <paramref name="train"/> training rows "goal i" and 4 validation rows "question i".</summary>
    static TempDirectory PiqaFolder(int train, Func<int, string>? trainGoal = null)
    {
        var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.File("piqa"));
        string Row(string goal, int i) => JsonSerializer.Serialize(new { goal, sol1 = $"way {i}", sol2 = $"other {i}", label = i % 2 });
        File.WriteAllLines(tmp.File("piqa/train.jsonl"), Enumerable.Range(0, train).Select(i => Row(trainGoal?.Invoke(i) ?? $"goal {i}", i)));
        File.WriteAllLines(tmp.File("piqa/validation.jsonl"), Enumerable.Range(0, 4).Select(i => Row($"question {i}", i)));
        return tmp;
    }

    static IReadOnlyList<int>[] Examples(MultipleChoiceBenchmark task) => Enumerable.Range(0, task.ItemCount).Select(task.FewShotExamples).ToArray();

    [Fact]
    public void Few_shot_draws_are_lm_evals_python_draws_in_document_order_with_the_extra_draw_where_its_yaml_has_no_test_split()
    {
        // python3 -c "import random; r = random.Random(1234); print([r.sample(range(30), 3) for _ in range(4)])"
        //   → [[24, 14, 3], [0, 2, 29], [25, 18, 1], [21, 22, 2]]: PIQA (test_split null) keeps the first 2 of each.
        using var tmp = PiqaFolder(30);
        var piqa = (MultipleChoiceBenchmark)StandardTasks.Load("piqa", new StandardTaskOptions(tmp.Path, 2));
        Assert.Equal([[24, 14], [0, 2], [25, 18], [21, 22]], Examples(piqa));
        Assert.StartsWith("Question: goal 24\nAnswer: way 24\n\nQuestion: goal 14\nAnswer: way 14\n\nQuestion: question 0\nAnswer:", piqa.Requests(0)[0].Context);
        // A task whose yaml names a test split draws exactly k: r.sample(range(30), 2) four times → [[24, 14], [3, 0], [2, 29], [25, 18]].
        Assert.Equal([[24, 14], [3, 0], [2, 29], [25, 18]], FewShotSampler.Draw(piqa.Docs, Enumerable.Range(0, 30).Select(i => new LmEvalDoc($"{i}", ["a"], 0)).ToArray(), 2, 1234, FewShotRule.Default));
        // Another seed, another draw: python3 -c "import random; r = random.Random(7); print([r.sample(range(30), 3)[:2] for _ in range(4)])"
        var seven = (MultipleChoiceBenchmark)StandardTasks.Load("piqa", new StandardTaskOptions(tmp.Path, 2, 7));
        Assert.Equal([[10, 4], [20, 1], [26, 17], [11, 18]], Examples(seven));
    }

    [Fact]
    public void A_drawn_example_equal_to_the_evaluated_row_is_dropped_as_lm_evals_x_ne_doc_drops_it()
    {
        // Training row 24 is the same row as validation row 0 (same fields and values, in another order in the file):
        // document 0 draws [24, 14, 3] and keeps [14, 3]; the others are as before.
        using var tmp = PiqaFolder(30);
        var rows = File.ReadAllLines(tmp.File("piqa/train.jsonl"));
        rows[24] = """{"label": 0, "sol2": "other 0", "sol1": "way 0", "goal": "question 0"}""";
        File.WriteAllLines(tmp.File("piqa/train.jsonl"), rows);
        var piqa = (MultipleChoiceBenchmark)StandardTasks.Load("piqa", new StandardTaskOptions(tmp.Path, 2));
        Assert.Equal([[14, 3], [0, 2], [25, 18], [21, 22]], Examples(piqa));
    }

    [Fact]
    public void Missing_files_name_the_files_expected_and_the_dataset_and_bad_rows_name_row_and_field()
    {
        using var tmp = new TempDirectory();
        var e = Assert.Throws<UserInputException>(() => StandardTasks.Load("arc_challenge", new StandardTaskOptions(tmp.Path)));
        Assert.Contains("test.parquet", e.Message);
        Assert.Contains("test.jsonl", e.Message);
        Assert.Contains("allenai/ai2_arc (config ARC-Challenge)", e.Message);
        Assert.Contains("CC BY-SA 4.0", e.Message);
        var noDir = Assert.Throws<UserInputException>(() => TaskRegistry.Parse("grammar,sciq"));
        Assert.Contains("evaluation.data_dir", noDir.Message);

        Directory.CreateDirectory(tmp.File("piqa"));
        File.WriteAllLines(tmp.File("piqa/validation.jsonl"),
        [
            """{"goal": "g", "sol1": "a", "sol2": "b", "label": 0}""",
            """{"goal": "g", "sol1": "a", "label": 5}""",
            """{"goal": 3, "sol1": "a", "sol2": "b", "label": "x"}""",
        ]);
        var bad = Assert.Throws<UserInputException>(() => StandardTasks.Load("piqa", new StandardTaskOptions(tmp.Path)));
        Assert.Contains("row 1, field 'sol2': missing", bad.Message);
        Assert.Contains("row 1, field 'label': 5 is not a choice index", bad.Message);
        Assert.Contains("row 2, field 'goal': expected a string", bad.Message);
        Assert.Contains("row 2, field 'label': expected an integer", bad.Message);
    }

    [Fact]
    public void A_config_names_the_data_folder_and_few_shot_settings_and_is_checked_when_read()
    {
        string Config(string evaluation) => $$"""
            { "name": "x", "students": { "s": { "preset": "nano" } }, "budgets": [ { "name": "b", "tokens": 100 } ],
              "teacher": { "checkpoint": "models/t" }, "methods": ["scratch"], "evaluation": {{evaluation}} }
            """;
        var dir = JsonSerializer.Serialize(FixtureDir);
        var config = Harness.Config.JsonConfigReader.Read<Harness.Config.ExperimentConfig>(
            Config($$"""{ "tasks": "grammar,arc_easy,wikitext", "data_dir": {{dir}}, "num_fewshot": 1, "fewshot_seed": 7, "curve_subset": 1 }"""), "ok.json");
        Assert.Equal(new StandardTaskOptions(FixtureDir, 1, 7), EvaluationOptions.Standard(config.Evaluation) with { DataDir = FixtureDir });
        var e = Assert.Throws<UserInputException>(() => Harness.Pipelines.ExperimentValidator.Read(
            Config("""{ "tasks": "arc_easy,lambada_openai", "data_dir": "/no/such/dir", "num_fewshot": 1 }"""), "bad.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: task 'arc_easy': no 'test' split in /no/such/dir/arc_easy"));
        Assert.Contains(e.Problems, p => p.Contains("$.evaluation.tasks: task 'arc_easy': no 'train' split in /no/such/dir/arc_easy")); // the few-shot split
        Assert.DoesNotContain(e.Problems, p => p.Contains("lambada_openai") && p.Contains("train")); // no few-shot split: runs zero-shot
        // A config without the new keys writes exactly what it wrote before.
        Assert.DoesNotContain("data_dir", JsonSerializer.Serialize(new Harness.Config.EvaluationSpec(), Harness.IO.HarnessJson.Options));
        Assert.DoesNotContain("fewshot", JsonSerializer.Serialize(new Harness.Config.EvaluationSpec(), Harness.IO.HarnessJson.Options));
    }

    [Fact]
    public void Registry_checks_the_whole_list_before_any_work_and_keeps_the_order_given()
    {
        var problems = TaskRegistry.Problems("grammar,hellaswag,nope,wikitext", new StandardTaskOptions("/no/such/folder"));
        Assert.Contains(problems, p => p.Contains("'nope' is not a task"));
        Assert.Contains(problems, p => p.Contains("hellaswag") && p.Contains("validation.parquet"));
        Assert.Contains(problems, p => p.Contains("wikitext") && p.Contains("EleutherAI/wikitext_document_level"));
        Assert.Empty(TaskRegistry.Problems("all", null));
        Assert.Empty(TaskRegistry.Problems("lambada_openai,wikitext", Options(shots: 2))); // no few-shot split: zero-shot
        var tasks = TaskRegistry.Parse("piqa,grammar,sciq", standard: Options());
        Assert.Equal(["piqa", "grammar", "sciq"], tasks.Select(t => t.Name));
        Assert.Equal(["grammar", "knowledge", "arithmetic_2d"], TaskRegistry.Parse("all", standard: Options()).Select(t => t.Name));
    }
}
