using System.Text.Json;
using Harness.Modeling;
using TorchSharp.PyBridge;
using Harness.IO;

namespace Harness.Training;

/// <summary>Caller state that travels inside a checkpoint (written before the checkpoint is committed).</summary>
public interface IResumeExtras
{
    void Write(string checkpointFolder);
    void Read(string checkpointFolder);
}

/// <summary>
/// What a resumed run needs besides weights and optimiser moments.  Each checkpoint is one folder
/// (<c>resume/step-NNNNNNNN/</c>) written completely under a temporary name, renamed into place, then committed by
/// atomically replacing <c>resume/current</c> (the name of the folder): a kill or a full disk at any moment leaves
/// either the previous checkpoint or the new one, never a mix.  resume.json also records the SHA-256 of the weight and
/// optimiser files, and a set whose hashes do not match is refused (the unit restarts from step 0).
/// </summary>
public sealed record ResumeState(int Step, List<EvalPoint> Curve, double WallSeconds)
{
    const string StateFile = "resume.json";
    const string CurrentFile = "current";
    const string ModelFile = "resume-model.safetensors";
    /// <summary>SafeAdamW moments and step counts (safetensors keyed by parameter name).</summary>
    const string OptimizerFile = "resume-optimizer.safetensors";
    /// <summary>snake_case keys like every other file the harness writes.</summary>
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The step a saved resume state would continue from, or null when there is none (or it is unreadable).</summary>
    public static int? SavedStep(string directory)
    {
        var current = Path.Combine(directory, CurrentFile);
        if (!File.Exists(current)) return null;
        var statePath = Path.Combine(directory, File.ReadAllText(current).Trim(), StateFile);
        if (!File.Exists(statePath)) return null;
        try { return JsonSerializer.Deserialize<Stamp>(File.ReadAllText(statePath), Json)?.Step; }
        catch (JsonException) { return null; }
    }

    sealed record Stamp(int Step, List<EvalPoint> Curve, double WallSeconds, string ModelSha256, string OptimizerSha256);

    public static void Save(string directory, CausalLm model, SafeAdamW optimizer, ResumeState state, IResumeExtras? extras = null)
    {
        Directory.CreateDirectory(directory);
        var name = $"step-{state.Step:D8}";
        // Weights (4 B/param) + AdamW moments (8 B/param) + framing: refuse up front, naming the checkpoint, rather than
        // fail half-way (the previous checkpoint stays valid either way).
        long parameters = model.parameters().Sum(p => p.numel());
        DiskSpace.Require(Path.Combine(directory, name), 12 * parameters + (1 << 16), $"the checkpoint {Path.Combine(directory, name)} ({parameters:N0} parameters)");
        var temp = Path.Combine(directory, $".{name}.{TempFiles.Tag}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            AtomicFile.Write(Path.Combine(temp, ModelFile), s => model.save_safetensors(s, leaveOpen: true));
            FaultInjection.At(FaultInjection.Points.CheckpointBetweenFiles);
            AtomicFile.Write(Path.Combine(temp, OptimizerFile), optimizer.Save);
            extras?.Write(temp);
            var stamp = new Stamp(state.Step, state.Curve, state.WallSeconds, Sha256(Path.Combine(temp, ModelFile)), Sha256(Path.Combine(temp, OptimizerFile)));
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(stamp, Json));
            var final = Path.Combine(directory, name);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);   // an uncommitted folder of an earlier attempt
            Directory.Move(temp, final);
            AtomicFile.WriteAllText(Path.Combine(directory, CurrentFile), name);       // the commit
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        FaultInjection.At(FaultInjection.Points.CheckpointSaved);
        foreach (var old in Directory.GetDirectories(directory).Where(d => Path.GetFileName(d) != name && !TempFiles.IsLiveTemp(Path.GetFileName(d))))
            Directory.Delete(old, recursive: true);
    }

    public static bool TryLoad(string directory, CausalLm model, SafeAdamW optimizer, out ResumeState state, IResumeExtras? extras = null)
    {
        state = new ResumeState(0, [], 0);
        var current = Path.Combine(directory, CurrentFile);
        if (!File.Exists(current)) return false;
        var folder = Path.Combine(directory, File.ReadAllText(current).Trim());
        var statePath = Path.Combine(folder, StateFile);
        if (!File.Exists(statePath)) return false;
        var stamp = JsonSerializer.Deserialize<Stamp>(File.ReadAllText(statePath), Json)!;
        if (stamp.ModelSha256 != Sha256(Path.Combine(folder, ModelFile)) || stamp.OptimizerSha256 != Sha256(Path.Combine(folder, OptimizerFile)))
            return false;   // not the set resume.json was written for: never train from it
        model.load_safetensors(Path.Combine(folder, ModelFile));
        optimizer.Load(Path.Combine(folder, OptimizerFile));
        extras?.Read(folder);
        state = new ResumeState(stamp.Step, stamp.Curve, stamp.WallSeconds);
        return true;
    }

    /// <summary>Removes the whole resume folder (a finished unit needs none).</summary>
    public static void Clear(string directory)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    static string Sha256(string path)
    {
        if (!File.Exists(path)) return "missing";
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
