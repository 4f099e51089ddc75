namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// Where a standard benchmark's data comes from and which lm-evaluation-harness task file its rules follow.
/// <paramref name="Folder"/> is the sub-folder of the user's data folder; <paramref name="EvalSplit"/> is the split
/// lm-eval scores (its test split when the task has one, else validation); <paramref name="FewShotSplit"/> is the split
/// lm-eval draws few-shot examples from (training_split, else validation), or null where the task takes none.
/// </summary>
public sealed record BenchmarkSource(
    string Folder,
    string Dataset,
    string EvalSplit,
    string? FewShotSplit,
    string LmEvalTaskFile,
    string LmEvalVersion,
    string Citation,
    string Licence)
{
    /// <summary>The files of <paramref name="split"/> under <paramref name="dataDir"/>, or a clear error naming the
    /// files expected and where the dataset is published.</summary>
    public IReadOnlyList<string> Locate(string task, string dataDir, string split)
    {
        var folder = Path.Combine(dataDir, Folder);
        var files = DatasetFiles.Find(folder, split);
        if (files.Count > 0) return files;
        throw new UserInputException(
            $"task '{task}': no '{split}' split in {folder}.",
            [$"expected one of: {string.Join(", ", DatasetFiles.ExpectedNames(split).Select(n => Path.Combine(folder, n)))}.",
             $"the data is the Hugging Face dataset {Dataset}, split '{split}' (licence: {Licence}); download its Parquet or JSON Lines file into {folder}."]);
    }

    public string Describe => $"{Dataset}, split {EvalSplit}";
}
