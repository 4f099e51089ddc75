namespace Harness.Results;

/// <summary>One frontier model of a running-best frontier (cheapest first).</summary>
public sealed record TableFrontierModel(string Model, double Compute, double Score);

/// <summary>A fitted coefficient with its 95% bootstrap interval.</summary>
public sealed record TableParameter(string Name, double Value, double Ci95Low, double Ci95High);

/// <summary>A baseline family's frontier on one benchmark under one control, as table_fits.json stores it.</summary>
public sealed record TableFit
{
    public string Baseline { get; init; } = "";
    public string Benchmark { get; init; } = "";
    /// <summary>"none" or "date".</summary>
    public string Control { get; init; } = "";
    /// <summary>"envelope" (running best) or "linear".</summary>
    public string Frontier { get; init; } = "";
    public int BaselineModels { get; init; }
    /// <summary>Envelope: the frontier models.</summary>
    public IReadOnlyList<TableFrontierModel> FrontierModels { get; init; } = [];
    /// <summary>Linear: a, b (and gamma_per_year, growth_per_year = exp(γ/b) with the date covariate).</summary>
    public IReadOnlyList<TableParameter> Parameters { get; init; } = [];
    public string? ReferenceDate { get; init; }
    public int FailedReplicates { get; init; }
    public string? Note { get; init; }
}

/// <summary>table_fits.json: the request and every family × benchmark × control frontier (snake_case JSON, see TableEstimateWriter).</summary>
public sealed record TableFitsDocument
{
    public int SchemaVersion { get; init; } = ResultSchema.Version;
    public string Source { get; init; } = "";
    public IReadOnlyList<string> Baselines { get; init; } = [];
    public IReadOnlyList<string> Treatments { get; init; } = [];
    public string Frontier { get; init; } = "";
    public string? Covariate { get; init; }
    public string? CovariateReference { get; init; }
    public string? DedupeBy { get; init; }
    public string? Since { get; init; }
    public int Replicates { get; init; }
    public int Seed { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public IReadOnlyList<TableFit> Fits { get; init; } = [];
}
