using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>Runs the requested phases, each measured on its own: throughput, client CPU and, if asked, the broker's use.</summary>
internal static class BenchmarkRunner
{
    public static int Run(BenchmarkOptions options, bool produce, bool consume)
    {
        Console.WriteLine($"kafkasharp-bench: Confluent.Kafka {typeof(IProducer<,>).Assembly.GetName().Version}, librdkafka {Library.VersionString}, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"{options.Records:N0} records of {options.RecordSize:N0} bytes, topic {options.Topic} at {options.BootstrapServers}, " +
            $"acks={AcksName(options.Acks)}, compression={options.Compression.ToString().ToLowerInvariant()}");
        try
        {
            var partitions = TopicSetup.PrepareAsync(options, options.CreateTopic && produce).GetAwaiter().GetResult();
            if (options.CreateTopic && produce && partitions != options.Partitions)
            {
                Console.WriteLine($"note: topic {options.Topic} has {partitions} partition(s), not --partitions {options.Partitions}; using all {partitions}");
            }

            if (produce)
            {
                RunPhase("produce", options, () => ProducePhase.Run(options, partitions));
            }

            if (consume)
            {
                RunPhase("consume", options, () => ConsumePhase.Run(options, partitions));
            }

            return 0;
        }
        catch (Exception e) when (e is BenchmarkException or KafkaException)
        {
            Console.Error.WriteLine($"kafkasharp-bench: {e.Message}");
            return 1;
        }
    }

    private static void RunPhase(string phase, BenchmarkOptions options, Func<TimeSpan> run)
    {
        Console.WriteLine($"== {phase}");
        using var broker = BrokerMonitor.StartIfRequested(options);
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var elapsed = run();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
        Console.WriteLine($"client CPU during {phase}: {clientCpu.TotalSeconds:F2} s ({clientCpu / elapsed * 100:F0}% of one core)");
        broker?.StopAndPrint(phase, elapsed, options.TotalBytes);
    }

    private static string AcksName(Acks acks) => acks switch
    {
        Acks.None => "0",
        Acks.Leader => "1",
        _ => "all",
    };
}
