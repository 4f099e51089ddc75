namespace Harness.Estimation;

/// <summary>Reads (params, tokens, loss) points for <c>harness fit-scaling</c> from named columns.</summary>
public static class ScalingTableLoader
{
    /// <param name="tokensColumn">Tokens column; when null, tokens = FLOP / (6·N) from <paramref name="flopsColumn"/>
    /// (the C ≈ 6ND approximation of Kaplan et al. 2020, as Epoch did for the Chinchilla data).</param>
    /// <param name="dropHighest">Drop the K highest losses (Epoch dropped 5 outliers of the extracted Chinchilla data).</param>
    public static List<ScalingPoint> Load(string path, string paramsColumn, string? tokensColumn, string lossColumn, string? flopsColumn, int dropHighest)
    {
        if (tokensColumn is null && flopsColumn is null)
            throw new UserInputException("fit-scaling: neither --tokens-col nor --flops-col given; fix: name the tokens column, or the FLOP column to derive tokens = FLOP/(6·params).");
        if (dropHighest < 0)
            throw new UserInputException($"--drop-highest: value '{dropHighest}' must be 0 or more.");
        var t = CsvColumns.Read(path);
        var n = t.Column(paramsColumn, true, "model parameters, given by --params-col");
        var loss = t.Column(lossColumn, true, "loss, given by --loss-col");
        var d = tokensColumn is null ? -1 : t.Column(tokensColumn, true, "training tokens, given by --tokens-col");
        var f = tokensColumn is null ? t.Column(flopsColumn!, true, "training FLOP, given by --flops-col") : -1;
        t.ThrowIfProblems();
        var points = new List<ScalingPoint>();
        for (var i = 0; i < t.Rows.Count; i++)
        {
            var p = t.Number(i, n, positive: true);
            var l = t.Number(i, loss, positive: true);
            var tokens = d >= 0 ? t.Number(i, d, positive: true) : t.Number(i, f, positive: true) / (6 * p);
            points.Add(new ScalingPoint(p, tokens, l));
        }
        t.ThrowIfProblems();
        var kept = points.OrderBy(p => p.Loss).Take(Math.Max(0, points.Count - dropHighest)).ToList();
        if (kept.Count < 5)
            throw new UserInputException($"{path}: {kept.Count} row(s) left after --drop-highest {dropHighest}; the five-parameter L(N, D) fit needs at least 5. " +
                                         "Fix: add rows or drop fewer.");
        return kept;
    }
}
