using System.Buffers;
using System.Diagnostics;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Consumes over one connection with the Kafka protocol itself: sessionless FetchRequests from offset 0
/// of every partition until --records records have been read. Records are counted from the record
/// batch headers only (last offset - first wanted offset + 1 per batch), as a client that hands batches
/// on would; record bodies are not parsed. Each response is read into a pooled buffer.
/// </summary>
internal static class RawConsumePhase
{
    private const short FetchVersion = 12;
    private const int MaxWaitMs = 500;
    private const int MaxBytes = 64 << 20;

    public static TimeSpan Run(BenchmarkOptions options, int partitions)
    {
        Console.WriteLine($"raw consumer: FetchRequest v{FetchVersion} (sessionless), max.wait {MaxWaitMs} ms, min 1 byte, max {MaxBytes:N0} bytes, " +
            $"{options.PartitionMaxBytes:N0} bytes per partition, {partitions} partition(s) from offset 0, one connection");
        var fetchOffsets = new long[partitions];
        var fetchPartitions = new List<FetchRequest.FetchPartition>(partitions);
        for (var partition = 0; partition < partitions; partition++)
        {
            fetchPartitions.Add(new FetchRequest.FetchPartition { Partition = partition, PartitionMaxBytes = options.PartitionMaxBytes });
        }

        var request = new FetchRequest
        {
            MaxWaitMs = MaxWaitMs,
            MinBytes = 1,
            MaxBytes = MaxBytes,
            Topics = [new FetchRequest.FetchTopic { Topic = options.Topic, Partitions = fetchPartitions }],
        };

        using var connection = new RawConnection(options.BootstrapServers);
        long consumed = 0;
        long batchBytes = 0;
        var correlationId = 0;
        var startTimestamp = Stopwatch.GetTimestamp();
        var lastProgress = startTimestamp;
        long firstRecordTimestamp = 0;
        using (new ProgressReporter("raw-consume", () => Volatile.Read(ref consumed), options.RecordSize, startTimestamp))
        {
            while (consumed < options.Records)
            {
                for (var partition = 0; partition < partitions; partition++)
                {
                    fetchPartitions[partition].FetchOffset = fetchOffsets[partition];
                }

                correlationId++;
                connection.Send(RawConnection.BuildFrame(ApiKey.Fetch, FetchVersion, request, correlationId));
                var size = connection.ReceiveFrameSize();
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    connection.ReceiveExactly(buffer.AsSpan(0, size));
                    var (records, bytes) = CountRecords(buffer.AsMemory(0, size), correlationId, options.Topic, fetchOffsets);
                    batchBytes += bytes;
                    var now = Stopwatch.GetTimestamp();
                    if (records > 0)
                    {
                        if (consumed == 0)
                        {
                            firstRecordTimestamp = now;
                        }

                        lastProgress = now;
                        Volatile.Write(ref consumed, consumed + records);
                    }
                    else if (Stopwatch.GetElapsedTime(lastProgress, now) > options.IdleTimeout)
                    {
                        throw new BenchmarkException($"no record for {options.IdleTimeout.TotalSeconds} s; {consumed:N0} of {options.Records:N0} consumed");
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        var recordsPerSecond = consumed / elapsed.TotalSeconds;
        // Values are not parsed: their bytes are counted as records x --record-size (the raw producer's records), beside the batch bytes received.
        var valueBytes = consumed * options.RecordSize;
        var mibPerSecond = Units.MiB(valueBytes) / elapsed.TotalSeconds;
        var batchMiBPerSecond = Units.MiB(batchBytes) / elapsed.TotalSeconds;
        var firstRecord = Stopwatch.GetElapsedTime(startTimestamp, firstRecordTimestamp);
        Console.WriteLine($"raw-consume: {consumed:N0} records in {elapsed.TotalSeconds:F2} s over {correlationId} fetches: {recordsPerSecond:N0} records/s, " +
            $"{mibPerSecond:F1} MiB/s of values (records x {options.RecordSize} bytes), {batchMiBPerSecond:F1} MiB/s of record batches ({Units.MiB(batchBytes):F1} MiB); " +
            $"first records after {firstRecord.TotalMilliseconds:F0} ms");
        Console.WriteLine($"RESULT raw-consume records={consumed} value_bytes={valueBytes} batch_bytes={batchBytes} fetches={correlationId} seconds={elapsed.TotalSeconds:F3} " +
            $"records_per_s={recordsPerSecond:F0} mib_per_s={mibPerSecond:F1} batch_mib_per_s={batchMiBPerSecond:F1} first_record_ms={firstRecord.TotalMilliseconds:F0}");
        return elapsed;
    }

    /// <summary>
    /// Counts the records of every whole batch at or past each partition's fetch offset and moves the
    /// offset past the last one; returns the records and record batch bytes counted.
    /// </summary>
    private static (long Records, long Bytes) CountRecords(ReadOnlyMemory<byte> frame, int correlationId, string topic, long[] fetchOffsets)
    {
        var reader = new KafkaReader(frame);
        RawConnection.ReadResponseHeader(ref reader, ApiKey.Fetch, FetchVersion, correlationId);
        var response = new FetchResponse();
        response.Read(ref reader, FetchVersion);
        if (reader.HasError || response.ErrorCode != 0)
        {
            throw new BenchmarkException($"fetch response {correlationId}: malformed or error {(ErrorCode)response.ErrorCode}");
        }

        long records = 0;
        long bytes = 0;
        foreach (var topicResponse in response.Responses)
        {
            if (topicResponse.Topic != topic)
            {
                throw new BenchmarkException($"fetch response {correlationId}: unexpected topic {topicResponse.Topic}");
            }

            foreach (var partitionData in topicResponse.Partitions)
            {
                var partition = partitionData.PartitionIndex;
                if (partitionData.ErrorCode != 0)
                {
                    throw new BenchmarkException($"fetch {topic}-{partition} at offset {fetchOffsets[partition]}: error {(ErrorCode)partitionData.ErrorCode}");
                }

                if (partitionData.Records is not MemoryRecords memory)
                {
                    continue;
                }

                var batches = memory.Buffer.Span;
                // A response may end with a partial batch (cut at PartitionMaxBytes); it is fetched again whole next time.
                while (batches.Length >= RecordBatchHeader.Size && RecordBatchHeader.SizeInBytes(batches) <= batches.Length)
                {
                    var batchSize = RecordBatchHeader.SizeInBytes(batches);
                    var lastOffset = RecordBatchHeader.LastOffset(batches);
                    if (lastOffset >= fetchOffsets[partition])
                    {
                        var first = Math.Max(RecordBatchHeader.BaseOffset(batches), fetchOffsets[partition]);
                        records += lastOffset - first + 1;
                        bytes += batchSize;
                        fetchOffsets[partition] = lastOffset + 1;
                    }

                    batches = batches[batchSize..];
                }
            }
        }

        return (records, bytes);
    }
}
