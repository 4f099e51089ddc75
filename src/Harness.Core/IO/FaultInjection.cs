using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Harness.IO;

/// <summary>
/// Test-only fault injection at named points of a run, so the suite can prove that a kill or an internal error at
/// any of them leaves consistent files.  Off unless the environment variable <c>HARNESS_FAULT_INJECT</c> is set (child
/// processes in the kill/rerun test) or a test installs a plan with <see cref="Use"/> (in-process, this async flow
/// only).  Syntax: comma-separated <c>ACTION@POINT#N</c>, ACTION = <c>kill</c> (SIGKILL this process) or <c>throw</c>
/// (an <see cref="ExternalException"/>, as libtorch raises), fired at the N-th time POINT is reached (N defaults to 1;
/// <c>#N+</c> fires at the N-th and every later time).
/// </summary>
public static class FaultInjection
{
    public const string Variable = "HARNESS_FAULT_INJECT";

    /// <summary>Points the runner passes; tests name them.</summary>
    public static class Points
    {
        public const string CacheFill = "cache-fill";
        public const string TrainStep = "train-step";
        public const string CheckpointBetweenFiles = "checkpoint-between-files";
        public const string CheckpointSaved = "checkpoint-saved";
        public const string UnitFilesWritten = "unit-files-written";
        public const string TablesWrite = "tables-write";
        public const string Estimate = "estimate";
    }

    sealed record Rule(string Action, string Point, int At, bool AndLater);

    sealed class Plan(IReadOnlyList<Rule> rules)
    {
        public readonly IReadOnlyList<Rule> Rules = rules;
        public readonly ConcurrentDictionary<string, int> Hits = new();
    }

    static readonly AsyncLocal<Plan?> local = new();
    static readonly Lazy<Plan?> fromEnvironment = new(() => Parse(Environment.GetEnvironmentVariable(Variable)));

    /// <summary>Installs a plan for the calling async flow until disposed (tests).</summary>
    public static IDisposable Use(string spec)
    {
        var previous = local.Value;
        local.Value = Parse(spec);
        return new Restore(previous);
    }

    sealed class Restore(Plan? previous) : IDisposable
    {
        public void Dispose() => local.Value = previous;
    }

    /// <summary>Called at a named point; does nothing unless a plan names it.</summary>
    public static void At(string point)
    {
        var plan = local.Value ?? fromEnvironment.Value;
        if (plan is null) return;
        int hit = plan.Hits.AddOrUpdate(point, 1, (_, n) => n + 1);
        foreach (var rule in plan.Rules)
        {
            if (rule.Point != point || (rule.AndLater ? hit < rule.At : hit != rule.At)) continue;
            if (rule.Action == "kill")
            {
                Console.Out.Flush();
                System.Diagnostics.Process.GetCurrentProcess().Kill();   // SIGKILL on Linux: no finally, no flush
                Thread.Sleep(Timeout.Infinite);
            }
            throw new ExternalException($"injected fault at {point} (hit {hit}) by {Variable}");
        }
    }

    static Plan? Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) return null;
        var rules = new List<Rule>();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.Split('@');
            if (at.Length != 2 || at[0] is not ("kill" or "throw"))
                throw new UserInputException($"{Variable}: '{part}' must be kill@POINT[#N] or throw@POINT[#N].");
            var hash = at[1].Split('#');
            bool later = hash.Length > 1 && hash[1].EndsWith('+');
            int n = hash.Length > 1 ? int.Parse(hash[1].TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture) : 1;
            rules.Add(new Rule(at[0], hash[0], n, later));
        }
        return new Plan(rules);
    }
}
