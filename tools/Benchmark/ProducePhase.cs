using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Produces the records round-robin over the topic's partitions with Produce and one shared delivery
/// handler (no per-record task or closure), then waits for every delivery report.
/// </summary>
internal static class ProducePhase
{
    public static TimeSpan Run(BenchmarkOptions options, int partitions)
    {
        var config = ClientConfigs.Producer(options);
        ClientConfigs.Print("producer config", config);
        var payloads = new PayloadPool(options.RecordSize, options.Records);
        var tracker = new DeliveryTracker(partitions, options.Records);
        var topicPartitions = new TopicPartition[partitions];
        for (var partition = 0; partition < partitions; partition++)
        {
            topicPartitions[partition] = new TopicPartition(options.Topic, new Partition(partition));
        }

        using var producer = new ProducerBuilder<Null, byte[]>(config)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"producer error: {error.Code} {error.Reason}"))
            .Build();
        var pollInterval = TimeSpan.FromMilliseconds(1);
        var startTimestamp = Stopwatch.GetTimestamp();
        using (new ProgressReporter("produce", () => tracker.Delivered, options.RecordSize, startTimestamp))
        {
            for (long recordIndex = 0; recordIndex < options.Records; recordIndex++)
            {
                var partition = (int)(recordIndex % partitions);
                var message = payloads[recordIndex];
                while (!tracker.HasRoom(partition))
                {
                    producer.Poll(pollInterval);
                }

                while (true)
                {
                    tracker.BeforeSend(partition);
                    try
                    {
                        producer.Produce(topicPartitions[partition], message, tracker.Handler);
                        break;
                    }
                    catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(pollInterval);
                    }
                }

                tracker.AfterSend(partition);
            }

            // Waiting here instead of in Flush(): Flush would serve delivery reports on this thread too,
            // concurrently with the background poll thread that the tracker relies on being the only one.
            WaitForDeliveries(producer, tracker, options);
        }

        var elapsed = Stopwatch.GetElapsedTime(startTimestamp, tracker.LastDeliveryTimestamp);
        if (tracker.Failed > 0)
        {
            throw new BenchmarkException($"{tracker.Failed:N0} of {options.Records:N0} records failed delivery; first error: {tracker.FirstError?.Code} {tracker.FirstError?.Reason}");
        }

        PrintResult(options, elapsed, tracker.Latency);
        return elapsed;
    }

    private static void WaitForDeliveries(IProducer<Null, byte[]> producer, DeliveryTracker tracker, BenchmarkOptions options)
    {
        var lastProgress = Stopwatch.GetTimestamp();
        var lastDelivered = tracker.Delivered;
        while (tracker.Delivered < options.Records)
        {
            producer.Poll(TimeSpan.FromMilliseconds(50));
            var delivered = tracker.Delivered;
            if (delivered != lastDelivered)
            {
                lastDelivered = delivered;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > options.IdleTimeout)
            {
                throw new BenchmarkException($"no delivery report for {options.IdleTimeout.TotalSeconds} s; {delivered:N0} of {options.Records:N0} delivered");
            }
        }
    }

    private static void PrintResult(BenchmarkOptions options, TimeSpan elapsed, LatencyHistogram latency)
    {
        var recordsPerSecond = options.Records / elapsed.TotalSeconds;
        var mibPerSecond = Units.MiB(options.TotalBytes) / elapsed.TotalSeconds;
        Console.WriteLine($"produce: {options.Records:N0} records of {options.RecordSize:N0} bytes in {elapsed.TotalSeconds:F2} s: " +
            $"{recordsPerSecond:N0} records/s, {mibPerSecond:F1} MiB/s");
        Console.WriteLine($"delivery latency (send to delivery report), ms: p50 {Units.Milliseconds(latency.ValueAtPercentile(50))}, " +
            $"p95 {Units.Milliseconds(latency.ValueAtPercentile(95))}, p99 {Units.Milliseconds(latency.ValueAtPercentile(99))}, " +
            $"max {Units.Milliseconds(latency.Max)}");
        Console.WriteLine($"RESULT produce records={options.Records} record_size={options.RecordSize} seconds={elapsed.TotalSeconds:F3} " +
            $"records_per_s={recordsPerSecond:F0} mib_per_s={mibPerSecond:F1} p50_ms={Units.Milliseconds(latency.ValueAtPercentile(50))} " +
            $"p95_ms={Units.Milliseconds(latency.ValueAtPercentile(95))} p99_ms={Units.Milliseconds(latency.ValueAtPercentile(99))} max_ms={Units.Milliseconds(latency.Max)}");
    }
}
