using Harness.Estimation;
using Harness.Reporting;

namespace Harness.Pipelines;

/// <summary>The estimate and the files written for it; all null, with <see cref="SkippedBecause"/>, when a results folder has only one arm.</summary>
public sealed record EstimateAndReportResult(EstimateResult? Result, EstimateWriter.Paths? Files, ReportPaths? Report)
{
    public string? SkippedBecause { get; init; }
    public bool Skipped => Result is null;
}
