using BenchmarkDotNet.Running;
using Harness.Benchmarks;

// `make-corpus jsonl|parquet PATH MB`: a corpus for the data-preparation benchmarks (README "Performance"), not a
// BenchmarkDotNet run: the embedded documents repeated under new ids until the file holds MB megabytes of text.
if (args is ["make-corpus", var format, var path, var mb])
    return CorpusGenerator.Write(format, path, long.Parse(mb, System.Globalization.CultureInfo.InvariantCulture) * 1_000_000);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
