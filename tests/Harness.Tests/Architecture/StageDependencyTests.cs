using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Harness.Tests.Architecture;

/// <summary>
/// The stage folders of Harness.Core and the only stages each may depend on (ARCHITECTURE.md draws the same table).
/// Data flows one way: a stage uses the stages before it, never one after it, so there is no cycle.  Dependencies are
/// read from the compiled assembly (NetArchTest, which inspects signatures and method bodies), so a partially
/// qualified name or a `var` cannot hide one; the folder ↔ namespace rule is read from the source.
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
    public void Stages_depend_only_on_the_stages_before_them()
    {
        var core = typeof(Harness.Config.ExperimentConfig).Assembly;
        var problems = new List<string>();
        foreach (var (stage, allowed) in Allowed)
        {
            var forbidden = Allowed.Keys.Where(s => s != stage && !allowed.Contains(s)).Select(s => $"Harness.{s}").ToArray();
            var result = Types.InAssembly(core).That().ResideInNamespace($"Harness.{stage}")
                .ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
            foreach (var type in result.FailingTypeNames ?? [])
            {
                var used = forbidden.Where(f => !Types.InAssembly(core).That().HaveNameMatching($"^{Regex.Escape(type[(type.LastIndexOf('.') + 1)..])}$")
                    .And().ResideInNamespace(type[..type.LastIndexOf('.')]).ShouldNot().HaveDependencyOn(f).GetResult().IsSuccessful);
                problems.Add($"{type} ({stage}) depends on {string.Join(", ", used)}; {stage} may use {string.Join(", ", allowed.DefaultIfEmpty("nothing"))}");
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} back-edge(s):\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_dependency_check_sees_a_real_edge()
    {
        // Sweep uses Training (the trainer) and Evaluation: if NetArchTest stopped seeing dependencies, the rule above
        // would pass vacuously.
        var core = typeof(Harness.Config.ExperimentConfig).Assembly;
        Assert.False(Types.InAssembly(core).That().ResideInNamespace("Harness.Sweep").ShouldNot().HaveDependencyOn("Harness.Training").GetResult().IsSuccessful);
        Assert.False(Types.InAssembly(core).That().ResideInNamespace("Harness.Reporting").ShouldNot().HaveDependencyOn("Harness.Estimation").GetResult().IsSuccessful);
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
