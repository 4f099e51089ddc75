using Harness.Evaluation.Benchmarks;
using System.Text.Json.Serialization;
using Parquet.Schema;
using Parquet.Serialization;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>The same fixture items written as Parquet (Hugging Face's format: nested struct and list columns) read
/// into exactly the requests the JSON Lines files give.</summary>
public class ParquetFixtureTests
{
    static void Write(string path, ParquetSchema schema, IReadOnlyCollection<IDictionary<string, object?>> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        ParquetSerializer.SerializeUntypedAsync(rows, schema, stream).GetAwaiter().GetResult();
    }

    static void WriteTyped<T>(string path, IEnumerable<T> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ParquetSerializer.SerializeAsync(rows, path).GetAwaiter().GetResult();
    }

    // The Hugging Face schemas: ai2_arc's choices is struct<text: list<string>, label: list<string>>; hellaswag's endings is list<string>.
    sealed class ArcChoices
    {
        [JsonPropertyName("text")] public List<string> Text { get; set; } = [];
        [JsonPropertyName("label")] public List<string> Label { get; set; } = [];
    }

    sealed class ArcRow
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("question")] public string Question { get; set; } = "";
        [JsonPropertyName("choices")] public ArcChoices Choices { get; set; } = new();
        [JsonPropertyName("answerKey")] public string AnswerKey { get; set; } = "";
    }

    sealed class HellaSwagRow
    {
        [JsonPropertyName("ind")] public long Ind { get; set; }
        [JsonPropertyName("activity_label")] public string ActivityLabel { get; set; } = "";
        [JsonPropertyName("ctx_a")] public string CtxA { get; set; } = "";
        [JsonPropertyName("ctx_b")] public string CtxB { get; set; } = "";
        [JsonPropertyName("endings")] public List<string> Endings { get; set; } = [];
        [JsonPropertyName("label")] public string Label { get; set; } = "";
    }

    [Fact]
    public void Arc_struct_columns_and_hellaswag_list_columns_read_from_parquet_as_from_jsonl()
    {
        using var tmp = new TempDirectory();
        WriteTyped(tmp.File("arc_easy/test-00000-of-00001.parquet"), new[]
        {
            new ArcRow { Id = "T-E1", Question = "Which gas do plants take in from the air to make food?",
                         Choices = new() { Text = ["oxygen", "carbon dioxide", "nitrogen", "helium"], Label = ["A", "B", "C", "D"] }, AnswerKey = "B" },
            new ArcRow { Id = "T-E2", Question = "What is the boiling point of pure water at sea level?",
                         Choices = new() { Text = ["50 °C", "100 °C", "150 °C"], Label = ["1", "2", "3"] }, AnswerKey = "2" },
        });
        WriteTyped(tmp.File("hellaswag/validation.parquet"), new[]
        {
            new HellaSwagRow { Ind = 2, ActivityLabel = "Personal Care and Style", CtxA = "[header] How to tie a scarf [title] Fold the scarf in half.", CtxB = "THEN loop it",
                               Endings = ["around your neck twice.", "[step] into the washing machine.", "through the loop and pull it snug.", "under the sofa."], Label = "2" },
        });
        var fromJsonl = (MultipleChoiceBenchmark)StandardTasks.Load("arc_easy", new StandardTaskOptions(StandardBenchmarkTests.FixtureDir));
        var fromParquet = (MultipleChoiceBenchmark)StandardTasks.Load("arc_easy", new StandardTaskOptions(tmp.Path));
        for (int i = 0; i < 2; i++) Assert.Equal(fromJsonl.Requests(i), fromParquet.Requests(i));
        Assert.Equal(fromJsonl.Docs.Select(d => d.Gold), fromParquet.Docs.Select(d => d.Gold));
        var hs = (MultipleChoiceBenchmark)StandardTasks.Load("hellaswag", new StandardTaskOptions(tmp.Path));
        var hsJsonl = (MultipleChoiceBenchmark)StandardTasks.Load("hellaswag", new StandardTaskOptions(StandardBenchmarkTests.FixtureDir));
        Assert.Equal(hsJsonl.Requests(1), hs.Requests(0));
        Assert.Equal(2, hs.Docs[0].Gold);
    }

    [Fact]
    public void A_parquet_file_without_a_field_names_the_row_and_field()
    {
        using var tmp = new TempDirectory();
        Write(tmp.File("lambada_openai/test.parquet"), new ParquetSchema(new DataField<string>("sentence")),
            [new Dictionary<string, object?> { ["sentence"] = "a b c" }, new Dictionary<string, object?> { ["sentence"] = "d e f" }]);
        var e = Assert.Throws<UserInputException>(() => StandardTasks.Load("lambada_openai", new StandardTaskOptions(tmp.Path)));
        Assert.Contains("row 0, field 'text': missing", e.Message);
        Assert.Contains("row 1, field 'text': missing", e.Message);
        Assert.Contains("EleutherAI/lambada_openai", e.Message);
    }
}
