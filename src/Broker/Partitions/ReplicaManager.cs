using System.Runtime.InteropServices;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// The partitions this node leads (all of them: it is the only replica) and what the produce, fetch
/// and list-offsets paths do with them: look up a partition's log, check the client's leader epoch,
/// validate and append records, read record batches, wait for fetchable data.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Leader epoch: <see cref="TopicInfo.LeaderEpoch"/> for every partition, as Metadata reports it;
/// appended batches carry it.</item>
/// <item>High watermark: the log end offset, or in durable mode the fsynced offset
/// (<see cref="PartitionLog.HighWatermark"/>). LastStableOffset equals it: there are no transactions.</item>
/// <item>Appends take the partition's lock inside <see cref="PartitionLog.Append"/>; reads take none.
/// Each append that moves the high watermark wakes the fetches parked in <see cref="FetchPurgatory"/>,
/// through the callback <see cref="LogManager"/> was opened with.</item>
/// </list>
/// </remarks>
public sealed class ReplicaManager(LogManager logs, FetchPurgatory fetchPurgatory, TimeProvider time)
{
    public LogManager Logs { get; } = logs;

    public FetchPurgatory FetchPurgatory { get; } = fetchPurgatory;

    public TimeProvider Time { get; } = time;

    public PartitionLog? GetLog(string topic, int partition) => Logs.GetLog(new TopicPartition(topic, partition));

    /// <summary>
    /// Kafka's check of the leader epoch a client believes current (Partition.checkCurrentLeaderEpoch):
    /// negative means "not given"; older than ours is fenced, newer is unknown to us.
    /// </summary>
    public static ErrorCode CheckLeaderEpoch(int currentLeaderEpoch)
    {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == TopicInfo.LeaderEpoch)
        {
            return ErrorCode.None;
        }
        return currentLeaderEpoch < TopicInfo.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
    }

    /// <summary>
    /// Validates one partition's records from a produce request and appends them, assigning offsets in
    /// place in <paramref name="records"/> (the request frame, which the caller owns until it answers).
    /// </summary>
    /// <param name="requiredAcks">The request's acks: -1 on a topic with <c>min.insync.replicas</c> above 1 cannot be met here.</param>
    /// <param name="internalTopicsAllowed">Whether the client may write internal topics (Kafka's <c>__admin_client</c>).</param>
    /// <param name="isInternal">Whether the partition's topic is an internal topic (__consumer_offsets, ...).</param>
    public PartitionAppendResult AppendRecords(PartitionLog log, Memory<byte> records, short requiredAcks,
        bool internalTopicsAllowed, bool isInternal)
    {
        var topicPartition = log.TopicPartition;
        if (isInternal && !internalTopicsAllowed)
        {
            return PartitionAppendResult.Failed(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topicPartition.Topic}");
        }
        var config = log.Config;
        if (requiredAcks == -1 && config.MinInSyncReplicas > 1)
        {
            return PartitionAppendResult.Failed(ErrorCode.NotEnoughReplicas,
                $"The size of the current ISR Set(0) is insufficient to satisfy the min.isr requirement of {config.MinInSyncReplicas} for partition {topicPartition}");
        }
        var span = records.Span;
        if (IsTransactional(span))
        {
            // Kafka asks the transaction coordinator whether the partition joined the producer's
            // transaction; KafkaSharp has none, and the coordinator answers this for an unknown transactional id.
            return PartitionAppendResult.Failed(ErrorCode.InvalidProducerIdMapping,
                "The producer attempted to use a producer id which is not currently assigned to its transactional id.");
        }
        long nowMs = Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (LogAppendValidator.Validate(topicPartition, span, config, nowMs) is { } invalid)
        {
            return invalid;
        }
        LogAppendInfo info;
        var recompressed = new PooledByteBuffer();
        try
        {
            if (TopicCompression.TargetCodec(config) is { } codec && TopicCompression.NeedsRecompression(span, codec))
            {
                TopicCompression.Recompress(span, codec, ref recompressed);
                span = MemoryMarshal.AsMemory(recompressed.WrittenMemory).Span;
                if (LogAppendValidator.CheckBatchHeaders(topicPartition, span, config) is { } tooLarge)
                {
                    return tooLarge;
                }
            }
            info = log.Append(span, TopicInfo.LeaderEpoch);
        }
        catch (IOException e)
        {
            return PartitionAppendResult.Failed(ErrorCode.KafkaStorageError, $"Error while appending records to {topicPartition}: {e.Message}");
        }
        finally
        {
            recompressed.Dispose();
        }
        return info.Error switch
        {
            LogAppendError.None => PartitionAppendResult.Appended(info),
            LogAppendError.RecordBatchTooLarge => PartitionAppendResult.Failed(ErrorCode.RecordListTooLarge,
                $"The size of the record batch in the append to {topicPartition} exceeds the segment size {config.SegmentBytes}"),
            LogAppendError.CorruptRecords => PartitionAppendResult.Failed(ErrorCode.CorruptMessage),
            // Kafka sends no message with these, but the log start offset.
            LogAppendError.InvalidProducerEpoch => new PartitionAppendResult(ErrorCode.InvalidProducerEpoch, null, null, info),
            LogAppendError.OutOfOrderSequence => new PartitionAppendResult(ErrorCode.OutOfOrderSequenceNumber, null, null, info),
            // Deleted or closed meanwhile: no longer hosted here, so clients refresh metadata.
            _ => PartitionAppendResult.Failed(ErrorCode.NotLeaderOrFollower),
        };
    }

    private static bool IsTransactional(ReadOnlySpan<byte> records) =>
        records.Length > RecordBatchHeader.AttributesOffset + 1 && RecordBatchHeader.IsTransactional(records);

    /// <summary>
    /// Completes when acks=-1 is satisfied for records appended up to <paramref name="lastOffset"/>: at
    /// once, unless the log is in durable mode, where the high watermark waits for the fsync. Returns
    /// REQUEST_TIMED_OUT after <paramref name="timeout"/>, KAFKA_STORAGE_ERROR if the fsync failed,
    /// NOT_LEADER_OR_FOLLOWER if the log was closed meanwhile.
    /// </summary>
    public async ValueTask<ErrorCode> WaitForAcksAsync(PartitionLog log, long lastOffset, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var replicated = log.WaitForHighWatermarkAsync(lastOffset + 1, cancellationToken);
        if (replicated.IsCompletedSuccessfully)
        {
            return ErrorCode.None;
        }
        try
        {
            await replicated.WaitAsync(timeout, Time, cancellationToken).ConfigureAwait(false);
            return ErrorCode.None;
        }
        catch (TimeoutException)
        {
            return ErrorCode.RequestTimedOut;
        }
        catch (IOException)
        {
            return ErrorCode.KafkaStorageError;
        }
        catch (ObjectDisposedException)
        {
            return ErrorCode.NotLeaderOrFollower;
        }
    }

    /// <summary>
    /// Kafka's readFromLog: reads each partition that has a log, in request order, from its fetch offset,
    /// at most its own max bytes and together at most <paramref name="maxBytes"/>; the first batch of the
    /// first partition that returns data is returned whole even if larger, so a consumer always
    /// progresses. Sets each partition's <see cref="FetchPartition.Read"/> and read error; returns the
    /// record bytes read.
    /// </summary>
    public static int ReadFromLog(Span<FetchPartition> partitions, int maxBytes)
    {
        int remaining = maxBytes;
        bool minOneMessage = true;
        int totalBytes = 0;
        for (int i = 0; i < partitions.Length; i++)
        {
            ref var partition = ref partitions[i];
            if (partition.Log is not { } log)
            {
                continue;
            }
            LogReadResult result;
            try
            {
                // Without transactions the last stable offset is the high watermark, for both isolation levels.
                result = log.Read(partition.FetchOffset, Math.Min(partition.MaxBytes, remaining), log.HighWatermark, minOneMessage);
            }
            catch (IOException)
            {
                partition.Error = ErrorCode.KafkaStorageError;
                continue;
            }
            partition.Read = result;
            partition.Error = result.OffsetOutOfRange ? ErrorCode.OffsetOutOfRange : ErrorCode.None;
            int size = result.Records.SizeInBytes;
            if (size > 0)
            {
                minOneMessage = false;
                remaining = Math.Max(0, remaining - size);
                totalBytes += size;
            }
        }
        return totalBytes;
    }
}
