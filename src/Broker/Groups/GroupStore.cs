using System.Diagnostics;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// Where groups and committed offsets are kept: the internal topic <c>__consumer_offsets</c>, one
/// partition per group chosen as Kafka chooses it. Writes are record batches appended with
/// <see cref="PartitionLog.Append"/> and acknowledged as a produce with acks=all is: when the high
/// watermark covers them (at once, or after the fsync in durable mode).
/// </summary>
internal sealed partial class GroupStore(BrokerConfig brokerConfig, TopicRegistry topics, GroupCoordinatorConfig config,
    TimeProvider time, ILogger logger)
{
    /// <summary>
    /// The partition count groups are spread over: the topic's, if it exists at start, else
    /// <c>offsets.topic.num.partitions</c> (the count it will be created with).
    /// </summary>
    public int PartitionCount { get; } = topics.TryGetTopic(TopicNames.ConsumerOffsets, out var existing)
        ? existing.PartitionCount
        : config.OffsetsTopicNumPartitions;

    public TopicRegistry Topics => topics;

    /// <summary>Kafka's <c>partitionFor</c>: abs(Java's String.hashCode(groupId)) % partitions, with abs(MIN_VALUE) = 0.</summary>
    public int PartitionFor(string groupId) => PartitionFor(groupId, PartitionCount);

    public static int PartitionFor(string groupId, int partitionCount)
    {
        int hash = 0;
        foreach (char c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }
        int abs = hash == int.MinValue ? 0 : Math.Abs(hash);
        return abs % partitionCount;
    }

    /// <summary>
    /// Creates <c>__consumer_offsets</c> as Kafka's coordinator does, if it does not exist yet.
    /// None when it exists afterwards; COORDINATOR_NOT_AVAILABLE when it could not be created.
    /// </summary>
    public ErrorCode EnsureTopic()
    {
        if (topics.TryGetTopic(TopicNames.ConsumerOffsets, out _))
        {
            return ErrorCode.None;
        }
        long started = Stopwatch.GetTimestamp();
        var creation = topics.CreateTopic(InternalTopics.ConsumerOffsets(brokerConfig) with { NumPartitions = PartitionCount }, validateOnly: false);
        if (creation.Error.IsFailure && creation.Error.Code != ErrorCode.TopicAlreadyExists)
        {
            LogTopicNotCreated(logger, creation.Error.ToString());
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (creation.Error.IsSuccess)
        {
            LogTopicCreated(logger, PartitionCount, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return ErrorCode.None;
    }

    /// <summary>The log of one partition of <c>__consumer_offsets</c>, or null when the topic or partition does not exist.</summary>
    public PartitionLog? Log(int partition) => topics.Logs.GetLog(new TopicPartition(TopicNames.ConsumerOffsets, partition));

    /// <summary>
    /// Appends <paramref name="records"/> (key, value; a null value is a tombstone) to the group's
    /// partition as one batch. Returns the append's error in produce terms (UNKNOWN_TOPIC_OR_PARTITION,
    /// NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, RECORD_LIST_TOO_LARGE) or the offset of the first
    /// record and a task that completes with the acknowledgement's error (None, REQUEST_TIMED_OUT,
    /// KAFKA_STORAGE_ERROR, NOT_LEADER_OR_FOLLOWER).
    /// </summary>
    public StoreWrite Append(string groupId, List<KeyValuePair<byte[], byte[]?>> records)
    {
        int partition = PartitionFor(groupId);
        var log = Log(partition);
        if (log is null && EnsureTopic() == ErrorCode.None)
        {
            log = Log(partition);
        }
        if (log is null)
        {
            return StoreWrite.Failed(ErrorCode.UnknownTopicOrPartition);
        }
        byte[] batch;
        using (var builder = new RecordBatchBuilder())
        {
            long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (key, value) in records)
            {
                builder.Append(nowMs, key, value);
            }
            batch = builder.Build();
        }
        LogAppendInfo info;
        try
        {
            info = log.Append(batch, TopicInfo.LeaderEpoch);
        }
        catch (IOException e)
        {
            LogAppendFailed(logger, e, log.TopicPartition.ToString());
            return StoreWrite.Failed(ErrorCode.KafkaStorageError);
        }
        return info.Error switch
        {
            LogAppendError.None => new StoreWrite(ErrorCode.None, info.FirstOffset, WaitForAcknowledgementAsync(log, info.LastOffset)),
            LogAppendError.RecordBatchTooLarge => StoreWrite.Failed(ErrorCode.RecordListTooLarge),
            LogAppendError.CorruptRecords => StoreWrite.Failed(ErrorCode.CorruptMessage),
            _ => StoreWrite.Failed(ErrorCode.NotLeaderOrFollower),
        };
    }

    private Task<ErrorCode> WaitForAcknowledgementAsync(PartitionLog log, long lastOffset)
    {
        var replicated = log.WaitForHighWatermarkAsync(lastOffset + 1, CancellationToken.None);
        return replicated.IsCompletedSuccessfully ? Task.FromResult(ErrorCode.None) : WaitAsync(replicated);

        async Task<ErrorCode> WaitAsync(Task pending)
        {
            try
            {
                await pending.WaitAsync(TimeSpan.FromMilliseconds(config.OffsetCommitTimeoutMs), time).ConfigureAwait(false);
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
    }

    /// <summary>Kafka's mapping of an append error to what an offset commit reports.</summary>
    public static ErrorCode OffsetCommitError(ErrorCode appendError) => appendError switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        _ => appendError,
    };

    /// <summary>Kafka's mapping of an append error to what a group metadata write (SyncGroup) reports.</summary>
    public static ErrorCode GroupMetadataError(ErrorCode appendError) => appendError switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.RequestTimedOut => ErrorCode.RebalanceInProgress,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        _ => appendError,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Created __consumer_offsets with {PartitionCount} partitions for the group coordinator in {ElapsedMs} ms")]
    private static partial void LogTopicCreated(ILogger logger, int partitionCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create __consumer_offsets: {Error}")]
    private static partial void LogTopicNotCreated(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending group records to {Partition} failed")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string partition);
}

/// <summary>
/// A write to <c>__consumer_offsets</c>: the append's error, or the offset of its first record and
/// the acknowledgement still to come.
/// </summary>
internal readonly record struct StoreWrite(ErrorCode Error, long FirstOffset, Task<ErrorCode> Acknowledged)
{
    public static StoreWrite Failed(ErrorCode error) => new(error, -1, Task.FromResult(error));
}
