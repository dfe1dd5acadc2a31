using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Reads the records with an assign-only consumer from the beginning of every partition. Values are
/// measured, not copied (<see cref="ValueSizeDeserializer"/>); the gap between consecutive records
/// shows how long the consumer waited on fetches.
/// </summary>
internal static class ConsumePhase
{
    public static TimeSpan Run(BenchmarkOptions options, int partitions)
    {
        var config = ClientConfigs.Consumer(options);
        ClientConfigs.Print("consumer config", config);
        var errors = new ConcurrentQueue<string>();
        using var consumer = new ConsumerBuilder<Ignore, int>(config)
            .SetValueDeserializer(ValueSizeDeserializer.Instance)
            .SetErrorHandler((_, error) =>
            {
                errors.Enqueue($"{error.Code} {error.Reason}");
                Console.Error.WriteLine($"consumer error: {error.Code} {error.Reason}");
            })
            .Build();
        var assignment = new List<TopicPartitionOffset>(partitions);
        for (var partition = 0; partition < partitions; partition++)
        {
            assignment.Add(new TopicPartitionOffset(options.Topic, new Partition(partition), Offset.Beginning));
        }

        var gaps = new LatencyHistogram();
        long consumed = 0;
        long valueBytes = 0;
        var pollTimeout = TimeSpan.FromMilliseconds(100);
        var startTimestamp = Stopwatch.GetTimestamp();
        var lastRecordTimestamp = startTimestamp;
        long firstRecordTimestamp = 0;
        consumer.Assign(assignment);
        using (new ProgressReporter("consume", () => Volatile.Read(ref consumed), options.RecordSize, startTimestamp))
        {
            while (consumed < options.Records)
            {
                var result = consumer.Consume(pollTimeout);
                var now = Stopwatch.GetTimestamp();
                if (result is null)
                {
                    if (Stopwatch.GetElapsedTime(lastRecordTimestamp, now) > options.IdleTimeout)
                    {
                        throw new BenchmarkException($"no record for {options.IdleTimeout.TotalSeconds} s; {consumed:N0} of {options.Records:N0} consumed" +
                            (errors.IsEmpty ? "" : $"; client errors: {string.Join(" | ", errors.Take(5))}"));
                    }

                    continue;
                }

                if (consumed == 0)
                {
                    firstRecordTimestamp = now;
                }
                else
                {
                    gaps.Record((now - lastRecordTimestamp) * 1_000_000 / Stopwatch.Frequency);
                }

                lastRecordTimestamp = now;
                valueBytes += result.Message.Value;
                Volatile.Write(ref consumed, consumed + 1);
            }
        }

        consumer.Close();
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp, lastRecordTimestamp);
        var recordsPerSecond = consumed / elapsed.TotalSeconds;
        var mibPerSecond = Units.MiB(valueBytes) / elapsed.TotalSeconds;
        // Connecting, metadata and the first fetch are a fixed cost; the rate after the first record is the streaming rate.
        var firstRecord = Stopwatch.GetElapsedTime(startTimestamp, firstRecordTimestamp);
        var streaming = Stopwatch.GetElapsedTime(firstRecordTimestamp, lastRecordTimestamp);
        var streamingRecordsPerSecond = streaming > TimeSpan.Zero ? (consumed - 1) / streaming.TotalSeconds : 0;
        Console.WriteLine($"consume: {consumed:N0} records, {Units.MiB(valueBytes):F1} MiB of values in {elapsed.TotalSeconds:F2} s: " +
            $"{recordsPerSecond:N0} records/s, {mibPerSecond:F1} MiB/s; first record after {firstRecord.TotalMilliseconds:F0} ms, " +
            $"{streamingRecordsPerSecond:N0} records/s from then on");
        Console.WriteLine($"gap between consecutive records, ms: p50 {Units.Milliseconds(gaps.ValueAtPercentile(50))}, " +
            $"p99 {Units.Milliseconds(gaps.ValueAtPercentile(99))}, p99.99 {Units.Milliseconds(gaps.ValueAtPercentile(99.99))}, max {Units.Milliseconds(gaps.Max)}");
        Console.WriteLine($"RESULT consume records={consumed} value_bytes={valueBytes} seconds={elapsed.TotalSeconds:F3} " +
            $"records_per_s={recordsPerSecond:F0} mib_per_s={mibPerSecond:F1} first_record_ms={firstRecord.TotalMilliseconds:F0} " +
            $"streaming_records_per_s={streamingRecordsPerSecond:F0} max_gap_ms={Units.Milliseconds(gaps.Max)}");
        return elapsed;
    }
}
