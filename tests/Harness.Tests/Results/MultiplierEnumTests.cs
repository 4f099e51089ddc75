using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Results;

namespace Harness.Tests.Results;

/// <summary>
/// The enums of multipliers.csv and summary.json (<see cref="Estimand"/>, <see cref="MultiplierBound"/>,
/// <see cref="MultiplierStatus"/>) keep the spellings the files have always had, read back from CSV and JSON, refuse an
/// unknown spelling with the valid ones, and keep the empty bound under a JsonStringEnumConverter (the CLI's --json).
/// </summary>
public class MultiplierEnumTests
{
    [Fact]
    public void On_disk_spellings_are_the_files_spellings()
    {
        Assert.Equal(["frontier", "same_size", "effective_data"], OnDiskEnum<Estimand>.Names);
        Assert.Equal(["", "lower", "upper", "mixed"], OnDiskEnum<MultiplierBound>.Names);
        Assert.Equal(["ok", "censored", "extrapolated", "withheld", "no fit", "no pairs"], OnDiskEnum<MultiplierStatus>.Names);
    }

    static MultiplierRow Row(MultiplierBound bound, MultiplierStatus status) => new()
    {
        Kind = MultiplierKind.ByStudent, Estimand = Estimand.SameSize, Treatment = "logit-kd", Metric = "val_loss", Accounting = "student",
        Student = "nano", M = 1.5, Bound = bound, Status = status,
    };

    [Fact]
    public void Rows_round_trip_through_multipliers_csv_and_an_unknown_status_names_the_valid_spellings()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File(ResultSchema.MultipliersFile);
        MultiplierRow[] rows = [Row(MultiplierBound.None, MultiplierStatus.NoFit), Row(MultiplierBound.Mixed, MultiplierStatus.Censored)];
        ResultTables.WriteAll(path, rows);
        var lines = File.ReadAllLines(path);
        Assert.Contains(",by_student,same_size,", lines[1]);
        Assert.Contains(",,no fit,", lines[1]);
        Assert.Contains(",mixed,censored,", lines[2]);
        Assert.Equal(rows, ResultTables.ReadAll<MultiplierRow>(path));

        File.WriteAllLines(path, [lines[0], lines[1].Replace(",no fit,", ",failed,")]);
        var e = Assert.Throws<UserInputException>(() => ResultTables.ReadAll<MultiplierRow>(path));
        Assert.Contains("'failed' is not a MultiplierStatus; valid: ok, censored, extrapolated, withheld, no fit, no pairs", e.Message);
        File.WriteAllLines(path, [lines[0], lines[1].Replace(",same_size,", ",same-size,")]);
        e = Assert.Throws<UserInputException>(() => ResultTables.ReadAll<MultiplierRow>(path));
        Assert.Contains("'same-size' is not a Estimand; valid: frontier, same_size, effective_data", e.Message);
    }

    [Fact]
    public void Json_keeps_the_spellings_under_the_result_options_and_under_a_JsonStringEnumConverter()
    {
        var headline = new SummaryHeadline { Estimand = Estimand.EffectiveData, Bound = MultiplierBound.None, Status = MultiplierStatus.NoFit };
        var text = System.Text.Encoding.UTF8.GetString(ResultJson.Serialize(headline));
        Assert.Contains("\"estimand\": \"effective_data\"", text);
        Assert.Contains("\"bound\": \"\"", text);
        Assert.Contains("\"status\": \"no fit\"", text);
        Assert.Equal(headline, JsonSerializer.Deserialize<SummaryHeadline>(text, ResultJson.Options));

        var cli = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) } };
        var row = JsonSerializer.Serialize(Row(MultiplierBound.None, MultiplierStatus.NoFit), cli);
        Assert.Contains("\"bound\":\"\"", row);
        Assert.Contains("\"status\":\"no fit\"", row);
        Assert.Contains("\"estimand\":\"same_size\"", row);
        var bad = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SummaryHeadline>("{\"bound\": \"sideways\"}", ResultJson.Options));
        Assert.Contains("valid: (empty), lower, upper, mixed", bad.Message);
    }
}
