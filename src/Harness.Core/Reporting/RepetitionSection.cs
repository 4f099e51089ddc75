using System.Globalization;
using Harness.Config;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>
/// The "Data repetition" section: per budget and method, the tokens each finished run saw, the unique tokens of the
/// stream it trained on and the epochs that makes (runs.csv <c>tokens</c>, <c>unique_train_tokens</c>, <c>epochs</c>),
/// against data.max_epochs.  Muennighoff et al. 2023 ("Scaling Data-Constrained Language Models"): up to about 4 epochs
/// repeated tokens are worth almost as much as new ones, beyond that their value decays quickly toward nothing, so a
/// multiplier measured there describes memorisation.  Null for results written before runs recorded repetition.
/// </summary>
internal static class RepetitionSection
{
    public static Section? Build(ResultsFolder folder, RunManifest m)
    {
        var runs = folder.Runs.Where(r => r.Status == RunRowStatus.Ok && r.IsFinal && r.UniqueTrainTokens > 0 && r.Epochs >= 0).ToList();
        if (runs.Count == 0) return null;
        double max = double.TryParse(m.ConfigText("data.max_epochs"), NumberStyles.Float, CultureInfo.InvariantCulture, out var configured)
            ? configured : DataSpec.DefaultMaxEpochs;
        var groups = runs.GroupBy(r => (r.Budget, r.Method))
                         .OrderBy(g => g.Max(r => r.Tokens)).ThenBy(g => g.Key.Method == ResultSchema.ScratchMethod ? 0 : 1).ThenBy(g => g.Key.Method, StringComparer.Ordinal)
                         .Select(g => (g.Key.Budget, g.Key.Method, Units: g.Count(), Seen: g.Max(r => r.Tokens),
                                       Unique: g.Select(r => r.UniqueTrainTokens).Distinct().Order().ToList(), Epochs: g.Max(r => r.Epochs)))
                         .ToList();
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var rows = groups.Select(g => (IReadOnlyList<string>)
            [g.Budget, g.Method, N(g.Units), N(g.Seen), string.Join(" / ", g.Unique.Select(N)), g.Epochs.ToString("F2", CultureInfo.InvariantCulture)]).ToList();
        var blocks = new List<Block>
        {
            new Para(string.Create(CultureInfo.InvariantCulture,
                $"Passes over the training data: epochs = tokens seen ÷ the unique tokens of the stream a run trained on (the train split with any data mix; seq-kd: the teacher's synthetic corpus). Most: {groups.Max(g => g.Epochs):F2} epochs; data.max_epochs = {max:R} (Muennighoff et al. 2023, \"Scaling Data-Constrained Language Models\": up to about 4 epochs repeated tokens are worth almost as much as new ones).")),
            new TableBlock(new Table(["budget", "method", "runs", "tokens seen", "unique training tokens", "epochs"], rows)),
        };
        foreach (var g in groups.Where(g => g.Epochs > max))
            blocks.Add(new Warn(string.Create(CultureInfo.InvariantCulture,
                $"budget {g.Budget}, {g.Method}: {g.Epochs:F2} epochs, above data.max_epochs = {max:R}: repeated tokens are worth little there, so its multiplier describes memorisation more than learning.")));
        return new Section("repetition", "Data repetition", blocks);
    }
}
