using Harness.Perf;
using Harness.Config;

namespace Harness.Tests.Perf;

public class PytorchReferenceTests
{
    [Fact]
    public void The_first_RESULT_line_is_the_result_and_other_output_is_ignored()
    {
        var parsed = PytorchReference.ParseResultLine("threads 2\nRESULT {\"tokens_per_s\": 1234.5, \"gflops\": 7}\nRESULT {\"gflops\": 9}\n");
        Assert.Equal(1234.5, parsed!.Value.GetProperty("tokens_per_s").GetDouble());
        Assert.Equal(7, parsed.Value.GetProperty("gflops").GetDouble());
        Assert.Null(PytorchReference.ParseResultLine("Traceback (most recent call last):\n  ImportError: torch\n"));
    }

    [Fact]
    public void A_missing_script_skips_the_comparison_and_says_what_is_needed()
    {
        var outcome = PytorchReference.Run("/nonexistent/bench_torch.py", GptConfig.Presets["pico"], 2, 1, 0, 1);
        Assert.Null(outcome.Result);
        Assert.Contains("/nonexistent/bench_torch.py", outcome.Skipped);
        Assert.Contains("python3-torch", outcome.Skipped);
        Assert.Empty(outcome.Failures);
    }
}
