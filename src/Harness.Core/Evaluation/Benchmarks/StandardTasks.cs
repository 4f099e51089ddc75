using System.Text.Json;

namespace Harness.Evaluation.Benchmarks;

/// <summary>How standard tasks are loaded: the data folder and the few-shot settings (<c>evaluation.data_dir</c>,
/// <c>evaluation.num_fewshot</c>, <c>evaluation.fewshot_seed</c>).</summary>
public sealed record StandardTaskOptions(string? DataDir, int NumFewShot = 0, int FewShotSeed = 1234);

/// <summary>
/// The standard small-model suite read from local copies of the published datasets (the suite of Pythia, OLMo, SmolLM,
/// MiniPLM): each entry names its data (<see cref="BenchmarkSource"/>) and the lm-eval rule it follows
/// (<see cref="Formats"/>).  Loading reads the files; <see cref="Check"/> only looks for them, so a config is
/// validated before any work starts.
/// </summary>
public static class StandardTasks
{
    /// <param name="FewShot">lm-eval's draw for the task (<see cref="FewShotRule"/>): hellaswag, piqa and winogrande leave
    /// both fewshot_split and test_split unset in their yaml, so lm-eval draws one document more than it keeps.</param>
    sealed record Entry(BenchmarkSource Source, Func<JsonElement, int, RowReader, LmEvalDoc>? Format, bool AccNorm, FewShotRule? FewShot = null);

    static readonly FewShotRule OneExtra = new(DrawsOneExtra: true);

    static readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal)
    {
        ["hellaswag"] = new(new("hellaswag", "Rowan/hellaswag", "validation", "train", "lm_eval/tasks/hellaswag/hellaswag.yaml, utils.py", "1.0",
            "Zellers et al. 2019, HellaSwag: Can a Machine Really Finish Your Sentence?", "MIT"), Formats.HellaSwag, true, OneExtra),
        ["arc_easy"] = new(new("arc_easy", "allenai/ai2_arc (config ARC-Easy)", "test", "train", "lm_eval/tasks/arc/arc_easy.yaml", "1.0",
            "Clark et al. 2018, Think you have Solved Question Answering? Try ARC", "CC BY-SA 4.0"), Formats.Arc, true),
        ["arc_challenge"] = new(new("arc_challenge", "allenai/ai2_arc (config ARC-Challenge)", "test", "train", "lm_eval/tasks/arc/arc_challenge.yaml", "1.0",
            "Clark et al. 2018, Think you have Solved Question Answering? Try ARC", "CC BY-SA 4.0"), Formats.Arc, true),
        ["piqa"] = new(new("piqa", "baber/piqa (formerly ybisk/piqa)", "validation", "train", "lm_eval/tasks/piqa/piqa.yaml", "1.0",
            "Bisk et al. 2020, PIQA: Reasoning about Physical Commonsense in Natural Language", "AFL-3.0"), Formats.Piqa, true, OneExtra),
        ["winogrande"] = new(new("winogrande", "allenai/winogrande (config winogrande_xl)", "validation", "train", "lm_eval/tasks/winogrande/default.yaml, preprocess_winogrande.py", "1.0",
            "Sakaguchi et al. 2020, WinoGrande: An Adversarial Winograd Schema Challenge at Scale", "CC BY 4.0"), Formats.WinoGrande, false, OneExtra),
        ["sciq"] = new(new("sciq", "allenai/sciq", "test", "train", "lm_eval/tasks/sciq/sciq.yaml", "1.0",
            "Welbl et al. 2017, Crowdsourcing Multiple Choice Science Questions", "CC BY-NC 3.0"), Formats.SciQ, true),
        ["openbookqa"] = new(new("openbookqa", "allenai/openbookqa (config main)", "test", "train", "lm_eval/tasks/openbookqa/openbookqa.yaml", "1.0",
            "Mihaylov et al. 2018, Can a Suit of Armor Conduct Electricity? A New Dataset for Open Book Question Answering", "Apache-2.0"), Formats.OpenBookQA, true),
        [LambadaBenchmark.TaskName] = new(new("lambada_openai", "EleutherAI/lambada_openai (config default)", "test", null, "lm_eval/tasks/lambada/lambada_openai.yaml", "1.0",
            "Paperno et al. 2016, The LAMBADA dataset: Word prediction requiring a broad discourse context", "MIT (OpenAI's release)"), null, false),
        [WikiTextBenchmark.TaskName] = new(new("wikitext", "EleutherAI/wikitext_document_level (config wikitext-2-raw-v1)", "test", null, "lm_eval/tasks/wikitext/wikitext.yaml, preprocess_wikitext.py", "2.0",
            "Merity et al. 2016, Pointer Sentinel Mixture Models", "CC BY-SA 3.0"), null, false),
    };

    public static IReadOnlyList<string> Names => [.. entries.Keys, MmluBenchmark.TaskName];

    public static bool IsStandard(string name) => entries.ContainsKey(name) || name == MmluBenchmark.TaskName;

    public static BenchmarkSource Source(string name) => name == MmluBenchmark.TaskName ? MmluBenchmark.Source : entries[name].Source;

    /// <summary>The few-shot count a score row of <paramref name="task"/> was made with (results.json's n-shot):
    /// <paramref name="numFewShot"/> for standard tasks with a few-shot split and for MMLU's subject and group rows, else 0.</summary>
    public static int FewShotCount(string task, int numFewShot) =>
        MmluBenchmark.IsRowName(task) || (entries.TryGetValue(task, out var e) && e.Source.FewShotSplit is not null) ? numFewShot : 0;

    /// <summary>Problems that would stop <see cref="Load"/>: no data folder, missing files (with the names expected
    /// and the dataset; the few-shot split too when num_fewshot &gt; 0).  Reads no file.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<string> names, StandardTaskOptions options)
    {
        var problems = new List<string>();
        foreach (var name in names.Where(IsStandard))
        {
            var source = Source(name);
            if (options.DataDir is null)
            {
                var files = name == MmluBenchmark.TaskName ? $"{source.Folder}/<subject>/{source.EvalSplit}-*.parquet (or {source.Folder}/all/)" : $"{source.Folder}/{source.EvalSplit}.parquet or .jsonl";
                problems.Add($"task '{name}' reads the published dataset {source.Dataset} from a local folder; set evaluation.data_dir (eval --data DIR) to the folder holding {files}.");
                continue;
            }
            if (name == MmluBenchmark.TaskName) { problems.AddRange(MmluBenchmark.Check(options.DataDir, options.NumFewShot)); continue; }
            var splits = new List<string> { source.EvalSplit };
            // Tasks without a few-shot split (lambada_openai, wikitext) run zero-shot whatever num_fewshot says; results.json records n-shot 0 for them.
            if (options.NumFewShot > 0 && source.FewShotSplit is { } fewShot && fewShot != source.EvalSplit) splits.Add(fewShot);
            foreach (var split in splits)
                try { source.Locate(name, options.DataDir, split); }
                catch (UserInputException e) { problems.Add(e.Summary + " " + string.Join(" ", e.Problems)); }
        }
        return problems;
    }

    /// <summary>Reads a standard task's files and builds it.</summary>
    public static IEvaluationTask Load(string name, StandardTaskOptions options)
    {
        var problems = Check([name], options);
        if (problems.Count > 0) throw new UserInputException($"task '{name}' cannot be loaded.", problems);
        if (name == MmluBenchmark.TaskName) return MmluBenchmark.Load(options.DataDir!, options.NumFewShot, options.FewShotSeed);
        var entry = entries[name];
        var source = entry.Source;
        var dir = options.DataDir!;
        var evalFiles = source.Locate(name, dir, source.EvalSplit);
        switch (name)
        {
            case LambadaBenchmark.TaskName:
                return new LambadaBenchmark(source, ReadText(evalFiles, "text", source.Dataset));
            case WikiTextBenchmark.TaskName:
                return new WikiTextBenchmark(source, ReadText(evalFiles, "page", source.Dataset));
        }
        var docs = MultipleChoiceBenchmark.ReadDocs(evalFiles, entry.Format!, source.Dataset);
        IReadOnlyList<LmEvalDoc> pool = [];
        if (options.NumFewShot > 0 && source.FewShotSplit is not null)
            pool = MultipleChoiceBenchmark.ReadDocs(source.Locate(name, dir, source.FewShotSplit!), entry.Format!, source.Dataset);
        return new MultipleChoiceBenchmark(name, source, docs, pool, entry.FewShot ?? FewShotRule.Default, source.FewShotSplit is null ? 0 : options.NumFewShot, options.FewShotSeed, entry.AccNorm);
    }

    static IReadOnlyList<string> ReadText(IReadOnlyList<string> files, string field, string dataset)
    {
        var rows = DatasetFiles.ReadRows(files);
        var reader = new RowReader(string.Join(" + ", files));
        var texts = rows.Select((row, i) => reader.String(row, i, field)).ToArray();
        reader.ThrowIfAny($"the file should hold the Hugging Face dataset {dataset} in its published schema.");
        if (texts.Length == 0) throw new UserInputException($"{string.Join(" + ", files)}: no rows.");
        return texts;
    }
}
