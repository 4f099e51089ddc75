using BenchmarkDotNet.Running;
using Harness.Benchmarks;

// `make-corpus jsonl|parquet PATH MB`: a corpus for the data-preparation benchmarks (README "Performance"), not a
// BenchmarkDotNet run: the embedded documents repeated under new ids until the file holds MB megabytes of text.
if (args is ["make-corpus", var format, var path, var mb])
    return CorpusGenerator.Write(format, path, long.Parse(mb, System.Globalization.CultureInfo.InvariantCulture) * 1_000_000);
// The token store's benchmarks (StoreBenchmarks): `make-store DIR TOKENS [VOCAB]`, `train-store DIR STEPS [--in-memory]`,
// `store-throughput STEPS ROUNDS`.
if (args is ["make-store", var storeDir, var storeTokens, .. var storeVocab] && storeVocab.Length <= 1)
    return StoreBenchmarks.MakeStore(storeDir, long.Parse(storeTokens, System.Globalization.CultureInfo.InvariantCulture),
                                     storeVocab is [var v] ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : Harness.Config.TokenizerSpec.Gpt2VocabSize);
if (args is ["train-store", var trainDir, var trainSteps, .. var trainRest] && trainRest is [] or ["--in-memory"])
    return StoreBenchmarks.TrainStore(trainDir, int.Parse(trainSteps, System.Globalization.CultureInfo.InvariantCulture), trainRest is ["--in-memory"]);
if (args is ["store-throughput", var steps, var rounds])
    return StoreBenchmarks.Throughput(int.Parse(steps, System.Globalization.CultureInfo.InvariantCulture), int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
