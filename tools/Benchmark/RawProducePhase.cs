using System.Diagnostics;
using Confluent.Kafka;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Produces over one connection with the Kafka protocol itself, to measure the broker without a
/// client library's per-record cost. Each ProduceRequest carries one uncompressed record batch built
/// once before the run: the broker assigns offsets in its own copy, so the same request bytes can be
/// sent again and again (only the correlation id changes). Up to --in-flight requests are pipelined;
/// responses arrive in order and every one must report no error and a base offset that advances by
/// exactly the batch's record count.
/// </summary>
internal static class RawProducePhase
{
    private const short ProduceVersion = 9;
    private const int TimeoutMs = 30_000;

    // Per record: length, attributes, timestamp and offset deltas, key (null), value length and header
    // count as varints; an over-estimate, so the batch stays within --batch-size.
    private const int RecordOverheadBytes = 16;

    public static TimeSpan Run(BenchmarkOptions options, int partitions)
    {
        var acks = options.Acks switch
        {
            Acks.Leader => (short)1,
            Acks.All => (short)-1,
            _ => throw new BenchmarkException("raw-produce counts acknowledged records, so it needs --acks 1 or all (the broker does not answer acks=0)"),
        };
        var recordsPerBatch = (int)Math.Clamp((options.BatchSize - RecordBatchHeader.Size) / (options.RecordSize + RecordOverheadBytes), 1, options.Records);
        var fullRequests = options.Records / recordsPerBatch;
        var lastBatchRecords = (int)(options.Records % recordsPerBatch);
        var requestCount = fullRequests + (lastBatchRecords > 0 ? 1 : 0);
        var value = RandomValue(options.RecordSize);
        var fullFrames = BuildFrames(options.Topic, partitions, acks, value, recordsPerBatch, out var batchBytes);
        var lastFrames = lastBatchRecords > 0 ? BuildFrames(options.Topic, partitions, acks, value, lastBatchRecords, out _) : fullFrames;
        Console.WriteLine($"raw producer: ProduceRequest v{ProduceVersion}, acks={acks}, one uncompressed batch of {recordsPerBatch:N0} records ({batchBytes:N0} bytes) " +
            $"per request, {requestCount:N0} requests round-robin over {partitions} partition(s), {options.InFlight} in flight on one connection");

        using var connection = new RawConnection(options.BootstrapServers);
        var latency = new LatencyHistogram();
        var sendTimestamps = new long[options.InFlight];
        var recordCounts = new int[options.InFlight];
        var nextBaseOffsets = new long[partitions];
        Array.Fill(nextBaseOffsets, -1);
        var responseBuffer = new byte[4096];
        long acknowledged = 0;
        long sent = 0;
        long received = 0;
        var startTimestamp = Stopwatch.GetTimestamp();
        using (new ProgressReporter("raw-produce", () => Volatile.Read(ref acknowledged), options.RecordSize, startTimestamp))
        {
            while (received < requestCount)
            {
                while (sent < requestCount && sent - received < options.InFlight)
                {
                    var isLast = sent == requestCount - 1 && lastBatchRecords > 0;
                    var frame = (isLast ? lastFrames : fullFrames)[sent % partitions];
                    var slot = (int)(sent % options.InFlight);
                    RawConnection.SetCorrelationId(frame, (int)sent);
                    recordCounts[slot] = isLast ? lastBatchRecords : recordsPerBatch;
                    sendTimestamps[slot] = Stopwatch.GetTimestamp();
                    connection.Send(frame);
                    sent++;
                }

                var size = connection.ReceiveFrameSize();
                if (size > responseBuffer.Length)
                {
                    responseBuffer = new byte[size];
                }

                connection.ReceiveExactly(responseBuffer.AsSpan(0, size));
                var receivedSlot = (int)(received % options.InFlight);
                latency.Record((Stopwatch.GetTimestamp() - sendTimestamps[receivedSlot]) * 1_000_000 / Stopwatch.Frequency);
                var partition = (int)(received % partitions);
                CheckResponse(responseBuffer.AsMemory(0, size), (int)received, options.Topic, partition, recordCounts[receivedSlot], nextBaseOffsets);
                received++;
                Volatile.Write(ref acknowledged, acknowledged + recordCounts[receivedSlot]);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        if (acknowledged != options.Records)
        {
            throw new BenchmarkException($"{acknowledged:N0} records acknowledged, expected {options.Records:N0}");
        }

        ProducePhase.PrintResult(options, elapsed, latency, "raw-produce", producers: 1, "request latency (send to response)");
        return elapsed;
    }

    /// <summary>One request frame per partition, each carrying the same batch of <paramref name="records"/> records.</summary>
    private static byte[][] BuildFrames(string topic, int partitions, short acks, byte[] value, int records, out int batchBytes)
    {
        using var builder = new RecordBatchBuilder();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var index = 0; index < records; index++)
        {
            builder.Append(timestamp, key: null, value);
        }

        var batch = new MemoryRecords(builder.Build());
        batchBytes = batch.SizeInBytes;
        var frames = new byte[partitions][];
        for (var partition = 0; partition < partitions; partition++)
        {
            var request = new ProduceRequest
            {
                Acks = acks,
                TimeoutMs = TimeoutMs,
                TopicData =
                [
                    new ProduceRequest.TopicProduceData
                    {
                        Name = topic,
                        PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch }],
                    },
                ],
            };
            frames[partition] = RawConnection.BuildFrame(ApiKey.Produce, ProduceVersion, request, correlationId: 0);
        }

        return frames;
    }

    private static void CheckResponse(ReadOnlyMemory<byte> frame, int correlationId, string topic, int partition, int records, long[] nextBaseOffsets)
    {
        var reader = new KafkaReader(frame);
        RawConnection.ReadResponseHeader(ref reader, ApiKey.Produce, ProduceVersion, correlationId);
        var response = new ProduceResponse();
        response.Read(ref reader, ProduceVersion);
        if (reader.HasError || response.Responses.Count != 1 || response.Responses[0].PartitionResponses.Count != 1)
        {
            throw new BenchmarkException($"produce response {correlationId}: malformed or not one topic with one partition");
        }

        var topicResponse = response.Responses[0];
        var partitionResponse = topicResponse.PartitionResponses[0];
        if (topicResponse.Name != topic || partitionResponse.Index != partition)
        {
            throw new BenchmarkException($"produce response {correlationId}: answers {topicResponse.Name}-{partitionResponse.Index}, sent to {topic}-{partition}");
        }

        if (partitionResponse.ErrorCode != 0)
        {
            throw new BenchmarkException($"produce to {topic}-{partition}: error {(KafkaSharp.Protocol.ErrorCode)partitionResponse.ErrorCode} {partitionResponse.ErrorMessage}");
        }

        var expected = nextBaseOffsets[partition];
        if (expected >= 0 && partitionResponse.BaseOffset != expected)
        {
            throw new BenchmarkException($"produce to {topic}-{partition}: base offset {partitionResponse.BaseOffset}, expected {expected} (previous batch + its record count)");
        }

        nextBaseOffsets[partition] = partitionResponse.BaseOffset + records;
    }

    /// <summary>Random upper-case letters, as the Confluent.Kafka phase's payloads.</summary>
    private static byte[] RandomValue(int size)
    {
        var random = new Random(20_240_601);
        var value = new byte[size];
        for (var position = 0; position < value.Length; position++)
        {
            value[position] = (byte)('A' + random.Next(26));
        }

        return value;
    }
}
