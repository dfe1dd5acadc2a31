using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Produces the records round-robin over the topic's partitions with Produce and one shared delivery
/// handler per producer (no per-record task or closure), then waits for every delivery report.
/// With --producers N, N producer instances each send their share from their own thread.
/// </summary>
internal static class ProducePhase
{
    public static TimeSpan Run(BenchmarkOptions options, int partitions)
    {
        var config = ClientConfigs.Producer(options);
        ClientConfigs.Print("producer config", config);
        var payloads = new PayloadPool(options.RecordSize, options.Records);
        var workers = new Worker[options.Producers];
        for (var index = 0; index < workers.Length; index++)
        {
            var share = options.Records / workers.Length + (index < options.Records % workers.Length ? 1 : 0);
            workers[index] = new Worker(options, config, payloads, partitions, share);
        }

        var startTimestamp = Stopwatch.GetTimestamp();
        using (new ProgressReporter("produce", () => Delivered(workers), options.RecordSize, startTimestamp))
        {
            var threads = new Thread[workers.Length];
            for (var index = 0; index < workers.Length; index++)
            {
                threads[index] = new Thread(workers[index].Run) { Name = $"producer-{index}" };
                threads[index].Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        var latency = new LatencyHistogram();
        long lastDelivery = startTimestamp;
        foreach (var worker in workers)
        {
            worker.Dispose();
            if (worker.Error is not null)
            {
                ExceptionDispatchInfo.Throw(worker.Error);
            }

            if (worker.Tracker.Failed > 0)
            {
                throw new BenchmarkException($"{worker.Tracker.Failed:N0} records failed delivery; first error: {worker.Tracker.FirstError?.Code} {worker.Tracker.FirstError?.Reason}");
            }

            latency.Add(worker.Tracker.Latency);
            lastDelivery = Math.Max(lastDelivery, worker.Tracker.LastDeliveryTimestamp);
        }

        var elapsed = Stopwatch.GetElapsedTime(startTimestamp, lastDelivery);
        PrintResult(options, elapsed, latency, "produce", options.Producers, "delivery latency (send to delivery report)");
        return elapsed;
    }

    private static long Delivered(Worker[] workers)
    {
        long delivered = 0;
        foreach (var worker in workers)
        {
            delivered += worker.Tracker.Delivered;
        }

        return delivered;
    }

    /// <summary>The phase's summary and its RESULT line; the raw-protocol phase prints the same.</summary>
    public static void PrintResult(BenchmarkOptions options, TimeSpan elapsed, LatencyHistogram latency, string phase, int producers, string latencyName)
    {
        var recordsPerSecond = options.Records / elapsed.TotalSeconds;
        var mibPerSecond = Units.MiB(options.TotalBytes) / elapsed.TotalSeconds;
        Console.WriteLine($"{phase}: {options.Records:N0} records of {options.RecordSize:N0} bytes in {elapsed.TotalSeconds:F2} s " +
            $"({producers} producer(s)): {recordsPerSecond:N0} records/s, {mibPerSecond:F1} MiB/s");
        Console.WriteLine($"{latencyName}, ms: p50 {Units.Milliseconds(latency.ValueAtPercentile(50))}, " +
            $"p95 {Units.Milliseconds(latency.ValueAtPercentile(95))}, p99 {Units.Milliseconds(latency.ValueAtPercentile(99))}, " +
            $"max {Units.Milliseconds(latency.Max)}");
        Console.WriteLine($"RESULT {phase} records={options.Records} record_size={options.RecordSize} producers={producers} seconds={elapsed.TotalSeconds:F3} " +
            $"records_per_s={recordsPerSecond:F0} mib_per_s={mibPerSecond:F1} p50_ms={Units.Milliseconds(latency.ValueAtPercentile(50))} " +
            $"p95_ms={Units.Milliseconds(latency.ValueAtPercentile(95))} p99_ms={Units.Milliseconds(latency.ValueAtPercentile(99))} max_ms={Units.Milliseconds(latency.Max)}");
    }

    /// <summary>One producer instance and the thread loop that sends its share of the records.</summary>
    private sealed class Worker : IDisposable
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

        private readonly BenchmarkOptions options;
        private readonly PayloadPool payloads;
        private readonly long records;
        private readonly TopicPartition[] topicPartitions;
        private readonly IProducer<Null, byte[]> producer;

        public Worker(BenchmarkOptions options, ProducerConfig config, PayloadPool payloads, int partitions, long records)
        {
            this.options = options;
            this.payloads = payloads;
            this.records = records;
            Tracker = new DeliveryTracker(partitions, Math.Max(1, records));
            topicPartitions = new TopicPartition[partitions];
            for (var partition = 0; partition < partitions; partition++)
            {
                topicPartitions[partition] = new TopicPartition(options.Topic, new Partition(partition));
            }

            producer = new ProducerBuilder<Null, byte[]>(config)
                .SetErrorHandler((_, error) => Console.Error.WriteLine($"producer error: {error.Code} {error.Reason}"))
                .Build();
        }

        public DeliveryTracker Tracker { get; }

        public Exception? Error { get; private set; }

        public void Run()
        {
            try
            {
                Produce();
            }
            catch (Exception e) when (e is BenchmarkException or KafkaException)
            {
                Error = e;
            }
        }

        public void Dispose() => producer.Dispose();

        private void Produce()
        {
            var partitions = topicPartitions.Length;
            for (long recordIndex = 0; recordIndex < records; recordIndex++)
            {
                var partition = (int)(recordIndex % partitions);
                var message = payloads[recordIndex];
                while (!Tracker.HasRoom(partition))
                {
                    producer.Poll(PollInterval);
                }

                while (true)
                {
                    Tracker.BeforeSend(partition);
                    try
                    {
                        producer.Produce(topicPartitions[partition], message, Tracker.Handler);
                        break;
                    }
                    catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(PollInterval);
                    }
                }

                Tracker.AfterSend(partition);
            }

            // Waiting here instead of in Flush(): Flush would serve delivery reports on this thread too,
            // concurrently with the background poll thread that the tracker relies on being the only one.
            WaitForDeliveries();
        }

        private void WaitForDeliveries()
        {
            var lastProgress = Stopwatch.GetTimestamp();
            var lastDelivered = Tracker.Delivered;
            while (Tracker.Delivered < records)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
                var delivered = Tracker.Delivered;
                if (delivered != lastDelivered)
                {
                    lastDelivered = delivered;
                    lastProgress = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(lastProgress) > options.IdleTimeout)
                {
                    throw new BenchmarkException($"no delivery report for {options.IdleTimeout.TotalSeconds} s; {delivered:N0} of {records:N0} delivered");
                }
            }
        }
    }
}
