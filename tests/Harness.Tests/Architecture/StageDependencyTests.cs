using System.Text.RegularExpressions;

namespace Harness.Tests.Architecture;

/// <summary>
/// The stage folders of Harness.Core and the only imports each may have (ARCHITECTURE.md draws the same table).  Data
/// flows one way: a stage uses the stages before it, never one after it, so there is no cycle.  The test reads the
/// source (namespaces follow folders, so `using Harness.X` and `Harness.X.` qualifications are the dependencies).
/// </summary>
public class StageDependencyTests
{
    /// <summary>Stage → the stages it may import.  IO and Config are leaves every stage may use.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["IO"] = [],
        ["Config"] = ["IO"],
        ["Data"] = ["IO", "Config"],
        ["Modeling"] = ["IO", "Config", "Data"],
        ["Results"] = ["IO", "Config"],
        ["Training"] = ["IO", "Config", "Data", "Modeling", "Results"],
        ["Distillation"] = ["IO", "Config", "Data", "Modeling", "Training", "Results"],
        ["Evaluation"] = ["IO", "Config", "Data", "Modeling", "Results"],
        ["Perf"] = ["IO", "Config", "Data", "Modeling", "Training", "Distillation"],
        ["Estimation"] = ["IO", "Config", "Results"],
        ["Reporting"] = ["IO", "Config", "Results", "Estimation"],
        ["Sweep"] = ["IO", "Config", "Data", "Modeling", "Training", "Distillation", "Evaluation", "Results", "Perf"],
        ["Pipelines"] = ["IO", "Config", "Data", "Modeling", "Training", "Distillation", "Evaluation", "Results", "Perf", "Sweep", "Estimation", "Reporting"],
    };

    static string CoreDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) dir = dir.Parent;
            Assert.True(dir is not null, $"no Harness.sln above {AppContext.BaseDirectory}: the architecture tests read the source tree");
            return Path.Combine(dir!.FullName, "src", "Harness.Core");
        }
    }

    static IEnumerable<(string File, string Stage, string Source)> CoreSources() =>
        Directory.EnumerateFiles(CoreDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (File: Path.GetRelativePath(CoreDirectory, f), Source: File.ReadAllText(f)))
            .Select(x => (x.File, Stage: x.File.Contains(Path.DirectorySeparatorChar) ? x.File[..x.File.IndexOf(Path.DirectorySeparatorChar)] : "", x.Source));

    static readonly Regex StageReference = new(@"\bHarness\.(?<stage>[A-Z]\w*)\b", RegexOptions.Compiled);
    static readonly Regex Comments = new(@"//[^\n]*|/\*.*?\*/", RegexOptions.Compiled | RegexOptions.Singleline);
    static readonly Regex Strings = new("\"(?:\\\\.|[^\"\\\\])*\"", RegexOptions.Compiled);

    [Fact]
    public void Every_file_sits_in_a_known_stage_folder_and_declares_that_folders_namespace()
    {
        var problems = new List<string>();
        foreach (var (file, stage, source) in CoreSources())
        {
            if (stage.Length == 0) { if (file != "UserInputException.cs") problems.Add($"{file}: at the top of Harness.Core, not in a stage folder"); continue; }
            if (!Allowed.ContainsKey(stage)) problems.Add($"{file}: folder {stage} is not a stage (known: {string.Join(", ", Allowed.Keys)})");
            var expected = "Harness." + Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '.');
            var declared = Regex.Match(source, @"^namespace\s+([\w.]+)", RegexOptions.Multiline).Groups[1].Value;
            if (declared != expected) problems.Add($"{file}: declares namespace {declared}, its folder says {expected}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Stages_import_only_the_stages_before_them()
    {
        var problems = new List<string>();
        foreach (var (file, stage, source) in CoreSources())
        {
            if (!Allowed.TryGetValue(stage, out var allowed)) continue;
            var code = Strings.Replace(Comments.Replace(source, ""), "\"\"");
            var used = StageReference.Matches(code).Select(m => m.Groups["stage"].Value)
                .Where(s => s != stage && Allowed.ContainsKey(s) && !allowed.Contains(s)).Distinct().Order();
            problems.AddRange(used.Select(s => $"{file}: {stage} imports {s} (allowed: {string.Join(", ", allowed.DefaultIfEmpty("nothing"))})"));
        }
        Assert.True(problems.Count == 0, $"{problems.Count} back-edge(s):\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_allowed_table_itself_has_no_cycle()
    {
        var state = new Dictionary<string, int>();
        bool Cyclic(string s)
        {
            if (state.GetValueOrDefault(s) == 1) return true;
            if (state.GetValueOrDefault(s) == 2) return false;
            state[s] = 1;
            bool c = Allowed[s].Any(Cyclic);
            state[s] = 2;
            return c;
        }
        Assert.DoesNotContain(Allowed.Keys, Cyclic);
    }
}
