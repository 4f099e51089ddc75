namespace Harness.Results;

/// <summary>A fitted law's parameters (name → value), as fits.json stores them.</summary>
public sealed record FittedLaw
{
    /// <summary>chinchilla (L = E + A/N^α + B/D^β), sigmoid (y = floor + (ceiling − floor)·σ(slope·(ln C − midpoint))) or augmented (Ho et al. 2024).</summary>
    public string Form { get; init; } = "";
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();
    /// <summary>Parameters on a bound of their range (issue 23): "name = value: what it means"; empty when none is.</summary>
    public IReadOnlyList<string> AtBound { get; init; } = [];
}

/// <summary>Training FLOPs per token of one student size, so a reader can turn tokens into compute on a frontier.</summary>
public sealed record SizeCost(string Student, double Params, double FlopsPerToken, double MinTokens, double MaxTokens);

/// <summary>One arm's (scratch or a treatment's) frontier fit of one metric.</summary>
public sealed record ArmFit
{
    public string Group { get; init; } = "";
    public int Points { get; init; }
    public FittedLaw? Law { get; init; }
    public IReadOnlyList<SizeCost> Sizes { get; init; } = [];
    public double MinCompute { get; init; }
    public double MaxCompute { get; init; }
    public string Note { get; init; } = "";
}

/// <summary>The joint effective-data fit of one treatment (estimand c).</summary>
public sealed record EffectiveDataFit
{
    public string Treatment { get; init; } = "";
    public FittedLaw? Law { get; init; }
    /// <summary>constant (τ) or linear_ln_n (τ0 + τ1·ln N), chosen by leave-one-size-out cross-validation.</summary>
    public string TauForm { get; init; } = "";
    public double? CvErrorConstant { get; init; }
    public double? CvErrorLinear { get; init; }
}

public sealed record MetricFits
{
    public string Metric { get; init; } = "";
    /// <summary>loss or score.</summary>
    public string Kind { get; init; } = "";
    public double? Chance { get; init; }
    public IReadOnlyList<ArmFit> Arms { get; init; } = [];
    public IReadOnlyList<EffectiveDataFit> EffectiveData { get; init; } = [];
    public string Note { get; init; } = "";
}

/// <summary>fits.json, the only layout: per metric, every arm's fitted law and the effective-data fits.</summary>
public sealed record FitsDocument
{
    public int SchemaVersion { get; init; } = ResultSchema.MultipliersVersion;
    public string Source { get; init; } = "";
    public string Baseline { get; init; } = "";
    public bool FinishedRunsOnly { get; init; } = true;
    public int Replicates { get; init; }
    public int Seed { get; init; }
    public IReadOnlyList<MetricFits> Metrics { get; init; } = [];
}
