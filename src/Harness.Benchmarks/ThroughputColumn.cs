using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Harness.Benchmarks;

/// <summary>
/// How much work one call of a benchmark method does, in <see cref="Unit"/>s (e.g. 1 "MB" = 10^6 UTF-8 bytes,
/// 4096 "tokens", 256 "requests"); a <see cref="ThroughputColumnAttribute"/> of the same unit turns it into a rate.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WorkPerOperationAttribute(double amount, string unit) : Attribute
{
    public double Amount { get; } = amount;
    public string Unit { get; } = unit;
}

/// <summary>
/// Summary column "&lt;unit&gt;/s": the method's <see cref="WorkPerOperationAttribute"/> amount divided by the mean time
/// of one operation (so it is exactly as noisy as the Mean column; "-" for methods without the attribute).
/// </summary>
public sealed class ThroughputColumn(string unit) : IColumn
{
    public string Id => "Throughput:" + unit;
    public string ColumnName => unit + "/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{unit} processed per second: work per operation / Mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<WorkPerOperationAttribute>();
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (work is null || work.Unit != unit || meanNs is not > 0) return "-";
        double rate = work.Amount / (meanNs.Value * 1e-9);
        return rate.ToString(rate >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>Adds a <see cref="ThroughputColumn"/> for <paramref name="unit"/> to a benchmark class's summary.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ThroughputColumnAttribute(string unit) : ColumnConfigBaseAttribute(new ThroughputColumn(unit));
