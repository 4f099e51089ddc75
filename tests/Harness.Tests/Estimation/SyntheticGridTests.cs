using Harness.Estimation;
using Harness.Modeling;
using Harness.Config;

namespace Harness.Tests.Estimation;

public class SyntheticGridTests
{
    [Fact]
    public void The_grid_students_are_the_real_quickstart_presets()
    {
        foreach (var s in SyntheticGrid.QuickstartStudents)
        {
            var g = GptConfig.Presets[s.Name] with { VocabSize = SyntheticGrid.Vocab, ContextLength = SyntheticGrid.Context };
            Assert.Equal(ModelMath.NonEmbeddingParams(g), s.Params);
            Assert.Equal(ModelMath.TrainFlopsPerToken(g), s.FlopsPerToken);
        }
        Assert.Equal(["pico", "nano", "micro", "mini"], SyntheticGrid.QuickstartStudents.Select(s => s.Name));
    }
}
