namespace KafkaSharp.Benchmark;

/// <summary>A run that cannot go on (broker unreachable, delivery failed, no progress); the message says why.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
