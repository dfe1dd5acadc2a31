using KafkaSharp.Benchmark;

return BenchmarkCommand.Create().Parse(args).Invoke();
