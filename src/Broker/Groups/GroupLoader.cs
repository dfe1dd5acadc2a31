using System.Buffers;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// Rebuilds the groups of one <c>__consumer_offsets</c> partition from its log, as Kafka's
/// <c>loadGroupsAndOffsets</c> does: the last group record of each group wins (a tombstone removes
/// the group), the last offset record of each partition wins (a tombstone removes the offset), and
/// groups that only have offsets come back Empty.
/// </summary>
/// <remarks>
/// The log is read from its start to its end. The topic is compacted, so that is about the last
/// record of each group and committed partition, plus what the cleaner has not reached yet (the
/// active segment, up to <c>segment.bytes</c> of 100 MiB, about a million commits).
/// </remarks>
internal static partial class GroupLoader
{
    /// <summary>What one partition holds, ready to become groups.</summary>
    public sealed class LoadedPartition
    {
        public Dictionary<string, StoredGroup> Groups { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<TopicPartition, OffsetAndMetadata>> Offsets { get; } = new(StringComparer.Ordinal);

        public long RecordCount { get; set; }

        public long Bytes { get; set; }
    }

    /// <summary>Reads <paramref name="log"/> whole, <paramref name="bufferSize"/> bytes at a time (more when a batch is larger).</summary>
    /// <exception cref="IOException">The log could not be read.</exception>
    public static LoadedPartition Load(PartitionLog log, int bufferSize, ILogger logger)
    {
        var loaded = new LoadedPartition();
        long offset = log.LogStartOffset;
        long logEndOffset = log.LogEndOffset;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            while (offset < logEndOffset)
            {
                var read = log.Read(offset, bufferSize, logEndOffset, minOneMessage: true);
                int size = read.Records.SizeInBytes;
                if (read.OffsetOutOfRange || size == 0)
                {
                    break;
                }
                if (buffer.Length < size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }
                read.Records.CopyTo(buffer);
                loaded.Bytes += size;
                long next = ReadBatches(buffer.AsMemory(0, size), loaded, log.TopicPartition, logger);
                if (next <= offset)
                {
                    break;
                }
                offset = next;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return loaded;
    }

    /// <summary>Applies every batch in <paramref name="batches"/>; returns the offset after the last one.</summary>
    private static long ReadBatches(ReadOnlyMemory<byte> batches, LoadedPartition loaded, TopicPartition partition, ILogger logger)
    {
        long next = -1;
        int position = 0;
        while (batches.Length - position >= RecordBatchHeader.Size)
        {
            var batch = batches.Span[position..];
            int size = RecordBatchHeader.SizeInBytes(batch);
            if (size < RecordBatchHeader.Size || size > batch.Length)
            {
                break;
            }
            long baseOffset = RecordBatchHeader.BaseOffset(batch);
            next = RecordBatchHeader.LastOffset(batch) + 1;
            if (RecordBatchHeader.IsControl(batch) || RecordBatchHeader.IsTransactional(batch))
            {
                // KafkaSharp writes neither (there are no transactions), and Kafka only writes them for transactional offset commits.
                LogSkippedBatch(logger, partition.ToString(), baseOffset);
            }
            else
            {
                ReadRecords(batches.Slice(position, size), baseOffset, loaded, partition, logger);
            }
            position += size;
        }
        return next;
    }

    private static void ReadRecords(ReadOnlyMemory<byte> batch, long baseOffset, LoadedPartition loaded, TopicPartition partition, ILogger logger)
    {
        var status = RecordBatchPayload.Open(batch.Span, int.MaxValue, out var payload);
        if (status != DecompressionStatus.Done)
        {
            LogBadRecord(logger, partition.ToString(), baseOffset, $"its batch cannot be decompressed ({status}); the batch is skipped");
            return;
        }
        using (payload)
        {
            foreach (var record in payload)
            {
                loaded.RecordCount++;
                if (record.IsKeyNull)
                {
                    LogBadRecord(logger, partition.ToString(), baseOffset + record.OffsetDelta, "no key");
                    continue;
                }
                Apply(record.Key.ToArray(), record.IsValueNull ? null : record.Value.ToArray(), baseOffset + record.OffsetDelta, loaded,
                    partition, logger);
            }
        }
    }

    private static void Apply(byte[] key, byte[]? value, long recordOffset, LoadedPartition loaded, TopicPartition partition, ILogger logger)
    {
        var reader = new KafkaReader(key);
        short keyVersion = reader.ReadInt16();
        if (keyVersion is 0 or OffsetCommitRecord.KeyVersion && OffsetCommitRecord.TryReadKey(ref reader, out var groupId, out var topic, out int index))
        {
            var topicPartition = new TopicPartition(topic, index);
            if (value is null)
            {
                if (loaded.Offsets.TryGetValue(groupId, out var removedFrom))
                {
                    removedFrom.Remove(topicPartition);
                }
            }
            else if (OffsetCommitRecord.TryReadValue(value, recordOffset, out var offset))
            {
                if (!loaded.Offsets.TryGetValue(groupId, out var offsets))
                {
                    loaded.Offsets[groupId] = offsets = [];
                }
                offsets[topicPartition] = offset!;
            }
            else
            {
                LogBadRecord(logger, partition.ToString(), recordOffset, "unreadable offset commit value");
            }
        }
        else if (keyVersion == GroupMetadataRecord.KeyVersion && GroupMetadataRecord.TryReadKey(ref reader, out groupId))
        {
            if (value is null)
            {
                loaded.Groups.Remove(groupId);
            }
            else if (GroupMetadataRecord.TryReadValue(value, out var group))
            {
                loaded.Groups[groupId] = group!;
            }
            else
            {
                LogBadRecord(logger, partition.ToString(), recordOffset, "unreadable group metadata value");
            }
        }
        else
        {
            // Kafka 4 writes other record types here for its new consumer and share groups; KafkaSharp has neither.
            LogBadRecord(logger, partition.ToString(), recordOffset, $"unknown key version {keyVersion}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Partition}: skipped the control or transactional batch at offset {Offset}")]
    private static partial void LogSkippedBatch(ILogger logger, string partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading {Partition}: ignored the record at offset {Offset}: {Reason}")]
    private static partial void LogBadRecord(ILogger logger, string partition, long offset, string reason);
}
