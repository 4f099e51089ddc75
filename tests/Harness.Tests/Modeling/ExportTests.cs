using System.Diagnostics;
using System.Globalization;
using Harness.Modeling;
using TorchSharp;
using Harness.Config;

namespace Harness.Tests.Modeling;

/// <summary>A theory that is skipped, with the reason, where <see cref="Python"/> is absent (the reference forward is plain Python 3, standard library only).</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    public const string Python = "/usr/bin/python3";

    public PythonTheoryAttribute()
    {
        if (!File.Exists(Python)) Skip = $"{Python} not found: the independent GPT-2 reference (tests/tools/hf_gpt2_reference.py) needs Python 3";
    }
}

public class ExportTests
{
    [Fact]
    public void Checkpoint_config_writes_final_val_bpb_and_still_reads_the_old_name()
    {
        var old = Checkpoint.ReadInfo(Path.Combine(Cli.CliTests.RepositoryRoot(), "models", "teacher-tiny"));
        Assert.Equal(1.5618820950951438, old.FinalValBitsPerByte, 12);
        var shape = new GptConfig(40, 8, 1, 2, 16);
        var dir = Path.Combine(TestSupport.TempDirectory(), "c");
        using var model = new Gpt(shape);
        Checkpoint.Save(model, dir, new CheckpointInfo { Model = shape, FinalValBitsPerByte = 2.5 });
        var text = File.ReadAllText(Path.Combine(dir, Checkpoint.ConfigFile));
        Assert.Contains("\"final_val_bpb\": 2.5", text);
        Assert.DoesNotContain("final_val_bits_per_byte", text);
        Assert.Equal(2.5, Checkpoint.ReadInfo(dir).FinalValBitsPerByte);
    }

    [PythonTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hf_export_reproduces_the_logits_under_an_independent_gpt2_forward(bool tied)
    {
        const string python = PythonTheoryAttribute.Python;
        torch.manual_seed(3);
        var shape = new GptConfig(40, 8, 2, 2, 16, TieEmbeddings: tied);
        var dir = TestSupport.TempDirectory();
        using var model = new Gpt(shape);
        Checkpoint.Save(model, Path.Combine(dir, "ckpt"), new CheckpointInfo { Model = shape });
        HuggingFaceExport.Write(Path.Combine(dir, "ckpt"), Path.Combine(dir, "hf"));
        int[] tokens = [3, 17, 5, 39, 0, 12];
        model.eval();
        float[] expected;
        using (torch.no_grad())
        using (var logits = model.call(torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length])))
            expected = logits[0, -1].data<float>().ToArray();
        var script = Path.Combine(Cli.CliTests.RepositoryRoot(), "tests", "tools", "hf_gpt2_reference.py");
        var psi = new ProcessStartInfo(python, [script, Path.Combine(dir, "hf"), .. tokens.Select(t => t.ToString(CultureInfo.InvariantCulture))]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(shape.VocabSize, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-4, $"logit {i}: {actual[i]} vs {expected[i]}");
        Assert.Equal(!tied, File.ReadAllText(Path.Combine(dir, "hf", "config.json")).Contains("\"tie_word_embeddings\": false"));
    }
}
