using BenchmarkDotNet.Running;

// BenchmarkDotNet entry point: `./build.sh bench` (all suites) or `./build.sh bench --filter '*Sha256*'`.
BenchmarkSwitcher.FromAssembly(typeof(Fast.Bench.Sha256Benchmarks).Assembly).Run(args);
