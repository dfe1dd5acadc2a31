using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>Runs the requested phases, each measured on its own: throughput, client CPU and, if asked, the broker's use.</summary>
internal static class BenchmarkRunner
{
    /// <summary>
    /// Confluent.Kafka 2.15.1's Consume calls rd_kafka_message_leader_epoch, which librdkafka added in
    /// 2.1.0; Debian bookworm's librdkafka-dev is 2.0.2 (the stand-in package built by test.sh carries 2.12).
    /// </summary>
    private const int MinimumConsumerLibrdkafka = 0x020100ff;

    public static int Run(BenchmarkOptions options, bool produce, bool consume, bool raw)
    {
        Console.WriteLine($"kafkasharp-bench: Confluent.Kafka {typeof(IProducer<,>).Assembly.GetName().Version}, librdkafka {Library.VersionString}, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"{options.Records:N0} records of {options.RecordSize:N0} bytes, topic {options.Topic} at {options.BootstrapServers}, " +
            $"acks={AcksName(options.Acks)}, compression={options.Compression.ToString().ToLowerInvariant()}");
        if (consume && !raw && Library.Version < MinimumConsumerLibrdkafka)
        {
            Console.Error.WriteLine($"kafkasharp-bench: consuming needs librdkafka 2.1.0 or later (Confluent.Kafka calls rd_kafka_message_leader_epoch); " +
                $"loaded {Library.VersionString}. Run ./test.sh once: it builds the librdkafka.redist stand-in that carries librdkafka 2.12 (docs/performance.md).");
            return 1;
        }

        try
        {
            var partitions = TopicSetup.PrepareAsync(options, options.CreateTopic && produce).GetAwaiter().GetResult();
            if (options.CreateTopic && produce && partitions != options.Partitions)
            {
                Console.WriteLine($"note: topic {options.Topic} has {partitions} partition(s), not --partitions {options.Partitions}; using all {partitions}");
            }

            if (produce)
            {
                RunPhase(raw ? "raw-produce" : "produce", options, () => raw ? RawProducePhase.Run(options, partitions) : ProducePhase.Run(options, partitions));
            }

            if (consume)
            {
                RunPhase(raw ? "raw-consume" : "consume", options, () => raw ? RawConsumePhase.Run(options, partitions) : ConsumePhase.Run(options, partitions));
            }

            return 0;
        }
        catch (Exception e) when (e is BenchmarkException or KafkaException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"kafkasharp-bench: {e.Message}");
            return 1;
        }
    }

    private static void RunPhase(string phase, BenchmarkOptions options, Func<TimeSpan> run)
    {
        Console.WriteLine($"== {phase}");
        using var broker = BrokerMonitor.StartIfRequested(options);
        var machineBefore = MachineCpuSnapshot.Take();
        var wallStart = Stopwatch.GetTimestamp();
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var elapsed = run();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
        var machineAfter = MachineCpuSnapshot.Take();
        var machineBusy = machineAfter.BusySince(machineBefore, Stopwatch.GetElapsedTime(wallStart));
        Console.WriteLine($"client CPU during {phase}: {clientCpu.TotalSeconds:F2} s ({clientCpu / elapsed * 100:F0}% of one core)");
        var brokerCpu = broker?.StopAndPrint(phase, elapsed, options.TotalBytes) ?? TimeSpan.Zero;
        var others = machineBusy - clientCpu - brokerCpu;
        Console.WriteLine($"machine during {phase}: {machineBusy.TotalSeconds:F2} CPU-s busy of {Environment.ProcessorCount} cores; " +
            (broker is null ? $"other than this client {others.TotalSeconds:F2} s" : $"other processes {others.TotalSeconds:F2} s") +
            $"; load average {machineBefore.LoadAverage} -> {machineAfter.LoadAverage}");
    }

    private static string AcksName(Acks acks) => acks switch
    {
        Acks.None => "0",
        Acks.Leader => "1",
        _ => "all",
    };
}
