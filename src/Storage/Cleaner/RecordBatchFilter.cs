using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// Decides, batch by batch, what a cleaning pass keeps, and writes it (Kafka's
/// <c>MemoryRecords.filterTo</c> with the cleaner's record filter).
/// <list type="bullet">
/// <item>A record is kept when its offset is past the offset map (not indexed this pass), or when
/// it has a key, is the latest record of that key in the map (or the key is not in the map), and
/// either has a value or is a tombstone whose delete horizon has not passed. Records without a key
/// are dropped, as Kafka drops them.</item>
/// <item>Delete horizon (KIP-534): the first time a batch keeping a tombstone is cleaned, it is
/// rewritten with attribute bit 6 set and BaseTimestamp = now + <c>delete.retention.ms</c>; record
/// timestamp deltas are rewritten against it, so every record keeps its timestamp. Its tombstones go
/// at the first cleaning after that time.</item>
/// <item>A batch keeping every record, and needing no horizon, is copied byte for byte. A batch
/// keeping some is rebuilt with the same base offset, last offset delta, leader epoch, producer id,
/// epoch, base sequence, timestamp type and codec (recompressed with it); BaseTimestamp is the first
/// kept record's timestamp (or the horizon), MaxTimestamp the largest kept one (LogAppendTime
/// batches keep theirs). Record bytes other than the timestamp delta are copied as they are.</item>
/// <item>A batch keeping nothing is dropped, except the newest batch of each idempotent producer
/// (so a producer state rebuilt from the log still has its epoch and last sequence) and the one
/// ending at the end of the cleanable section (so the last offset cleaned stays visible): those stay
/// as empty batches, header only, as Kafka keeps them.</item>
/// <item>Control batches are kept as they are: KafkaSharp has no transactions, so there are no
/// aborted records to drop and no markers whose transactions are gone.</item>
/// </list>
/// </summary>
internal sealed class RecordBatchFilter
{
    /// <summary>Decompressed size limit of one batch (as for timestamp lookups).</summary>
    private const int MaxDecompressedBytes = 1 << 30;

    private const short HeaderAttributeMask = RecordBatchHeader.CompressionCodecMask | RecordBatchHeader.TimestampTypeMask |
        RecordBatchHeader.TransactionalFlag | RecordBatchHeader.ControlFlag;

    private readonly OffsetMap _map;
    private readonly long _currentTimeMs;
    private readonly long _newDeleteHorizonMs;
    private readonly long _upperBoundOffset;
    private readonly IReadOnlyDictionary<long, long> _lastBatchOfProducers;
    private readonly CleanerStats _stats;
    private bool[] _retained = [];

    /// <param name="upperBoundOffset">The first offset this pass does not clean; the batch ending just below it is kept even when empty.</param>
    /// <param name="lastBatchOfProducers">Producer id -> last offset of its newest batch, which is kept even when empty.</param>
    public RecordBatchFilter(OffsetMap map, long currentTimeMs, long deleteRetentionMs, long upperBoundOffset,
        IReadOnlyDictionary<long, long> lastBatchOfProducers, CleanerStats stats)
    {
        _map = map;
        _currentTimeMs = currentTimeMs;
        _newDeleteHorizonMs = deleteRetentionMs > long.MaxValue - currentTimeMs ? long.MaxValue : currentTimeMs + deleteRetentionMs;
        _upperBoundOffset = upperBoundOffset;
        _lastBatchOfProducers = lastBatchOfProducers;
        _stats = stats;
    }

    /// <summary>Appends what is kept of <paramref name="batch"/> (a whole magic-2 batch) to <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">The batch cannot be decompressed or its records do not parse.</exception>
    public void Filter(ReadOnlySpan<byte> batch, ref PooledByteBuffer destination)
    {
        _stats.BytesRead += batch.Length;
        if (RecordBatchHeader.IsControl(batch))
        {
            Keep(batch, ref destination, RecordBatchHeader.RecordCount(batch));
            return;
        }
        var status = RecordBatchPayload.Open(batch, MaxDecompressedBytes, out var payload);
        if (status != DecompressionStatus.Done)
        {
            throw new InvalidDataException($"The batch at offset {RecordBatchHeader.BaseOffset(batch)} cannot be decompressed: {status}");
        }
        using (payload)
        {
            FilterRecords(batch, payload, ref destination);
        }
    }

    private void FilterRecords(ReadOnlySpan<byte> batch, RecordBatchPayload payload, ref PooledByteBuffer destination)
    {
        long baseOffset = RecordBatchHeader.BaseOffset(batch);
        long baseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
        bool hasDeleteHorizon = (RecordBatchHeader.Attributes(batch) & RecordBatchHeader.DeleteHorizonFlag) != 0;
        bool retainTombstones = !hasDeleteHorizon || _currentTimeMs < baseTimestamp;
        int recordCount = payload.RecordCount;
        if (recordCount < 0 || recordCount > payload.Records.Length)
        {
            // Every record takes several bytes: a count beyond the payload's size is corrupt (and must not size an array).
            throw new InvalidDataException($"The batch at offset {baseOffset} claims {recordCount} records in {payload.Records.Length} bytes");
        }
        if (_retained.Length < recordCount)
        {
            _retained = new bool[Math.Max(recordCount, 2 * _retained.Length)];
        }

        int index = 0, retainedCount = 0;
        bool retainedTombstone = false;
        long firstTimestamp = -1, maxTimestamp = -1;
        var records = payload.GetEnumerator();
        while (records.MoveNext())
        {
            var record = records.Current;
            long offset = baseOffset + record.OffsetDelta;
            bool retain;
            if (offset > _map.LatestOffset)
            {
                retain = true;
            }
            else if (record.IsKeyNull)
            {
                retain = false;
                _stats.RecordsWithoutKey++;
            }
            else
            {
                bool latest = offset >= _map.Get(record.Key);
                retain = latest && (!record.IsValueNull || retainTombstones);
                if (latest && !retain)
                {
                    _stats.TombstonesRemoved++;
                }
            }
            _retained[index++] = retain;
            if (retain)
            {
                long timestamp = baseTimestamp + record.TimestampDelta;
                if (retainedCount == 0)
                {
                    firstTimestamp = timestamp;
                }
                maxTimestamp = Math.Max(maxTimestamp, timestamp);
                retainedTombstone |= record.IsValueNull;
                retainedCount++;
            }
        }
        if (records.HasError || records.BytesRemaining != 0 || index != recordCount)
        {
            throw new InvalidDataException($"The records of the batch at offset {baseOffset} do not parse");
        }
        _stats.RecordsRead += recordCount;

        bool needsDeleteHorizon = retainedTombstone && !hasDeleteHorizon;
        if (retainedCount == recordCount && !needsDeleteHorizon)
        {
            Keep(batch, ref destination, recordCount);
        }
        else if (retainedCount > 0)
        {
            long deleteHorizon = needsDeleteHorizon ? _newDeleteHorizonMs : hasDeleteHorizon ? baseTimestamp : -1;
            Rebuild(batch, payload, retainedCount, deleteHorizon, firstTimestamp, maxTimestamp, ref destination);
        }
        else if (RecordBatchHeader.LastOffset(batch) + 1 == _upperBoundOffset || IsNewestBatchOfProducer(batch))
        {
            WriteEmptyBatch(batch, ref destination);
        }
    }

    private bool IsNewestBatchOfProducer(ReadOnlySpan<byte> batch) =>
        RecordBatchHeader.ProducerId(batch) >= 0 &&
        _lastBatchOfProducers.TryGetValue(RecordBatchHeader.ProducerId(batch), out long lastOffset) &&
        lastOffset == RecordBatchHeader.LastOffset(batch);

    private void Keep(ReadOnlySpan<byte> batch, ref PooledByteBuffer destination, int recordCount)
    {
        destination.Write(batch);
        _stats.BytesWritten += batch.Length;
        _stats.RecordsRetained += recordCount;
    }

    /// <param name="deleteHorizon">The horizon to stamp, or -1 for none.</param>
    private void Rebuild(ReadOnlySpan<byte> batch, RecordBatchPayload payload, int retainedCount, long deleteHorizon,
        long firstTimestamp, long maxTimestamp, ref PooledByteBuffer destination)
    {
        long originalBaseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
        long newBaseTimestamp = deleteHorizon >= 0 ? deleteHorizon : firstTimestamp;
        var section = new PooledByteBuffer();
        var compressed = new PooledByteBuffer();
        try
        {
            int index = 0;
            var remaining = payload.Records;
            foreach (var record in payload)
            {
                if (_retained[index++])
                {
                    WriteRecord(remaining[..record.SizeInBytes], originalBaseTimestamp - newBaseTimestamp, ref section);
                }
                remaining = remaining[record.SizeInBytes..];
            }
            var compression = RecordBatchHeader.Compression(batch);
            ReadOnlySpan<byte> records = section.WrittenSpan;
            if (compression != CompressionType.None)
            {
                RecordCompression.Compress(compression, records, ref compressed);
                records = compressed.WrittenSpan;
            }

            short attributes = (short)(RecordBatchHeader.Attributes(batch) & HeaderAttributeMask);
            if (deleteHorizon >= 0)
            {
                attributes |= RecordBatchHeader.DeleteHorizonFlag;
            }
            if ((attributes & RecordBatchHeader.TimestampTypeMask) != 0)
            {
                maxTimestamp = RecordBatchHeader.MaxTimestamp(batch); // LogAppendTime: the append time stays
            }
            int size = RecordBatchHeader.Size + records.Length;
            var output = destination.GetSpan(size)[..size];
            WriteHeader(output, batch, attributes, newBaseTimestamp, maxTimestamp, retainedCount);
            records.CopyTo(output[RecordBatchHeader.Size..]);
            RecordBatchHeader.SetCrc(output, RecordBatchHeader.ComputeCrc(output));
            destination.Advance(size);
            _stats.BytesWritten += size;
            _stats.RecordsRetained += retainedCount;
        }
        finally
        {
            compressed.Dispose();
            section.Dispose();
        }
    }

    /// <summary>
    /// Copies one record, re-encoding its timestamp delta for a new base timestamp; its attributes,
    /// offset delta, key, value and headers stay byte for byte (the base offset does not change).
    /// </summary>
    private static void WriteRecord(ReadOnlySpan<byte> record, long timestampShift, ref PooledByteBuffer section)
    {
        if (timestampShift == 0)
        {
            section.Write(record);
            return;
        }
        int position = VarInt.ReadInt32(record, out _);
        byte attributes = record[position++];
        position += VarInt.ReadInt64(record[position..], out long timestampDelta);
        var rest = record[position..]; // offset delta, key, value, headers
        long newTimestampDelta = timestampDelta + timestampShift;
        int bodySize = 1 + VarInt.SizeOfInt64(newTimestampDelta) + rest.Length;
        int size = VarInt.SizeOfInt32(bodySize) + bodySize;
        var output = section.GetSpan(size);
        int written = VarInt.WriteInt32(output, bodySize);
        output[written++] = attributes;
        written += VarInt.WriteInt64(output[written..], newTimestampDelta);
        rest.CopyTo(output[written..]);
        section.Advance(written + rest.Length);
    }

    /// <summary>Kafka's writeEmptyHeader: the batch's offsets, producer and timestamp type, no records, uncompressed.</summary>
    private void WriteEmptyBatch(ReadOnlySpan<byte> batch, ref PooledByteBuffer destination)
    {
        var output = destination.GetSpan(RecordBatchHeader.Size)[..RecordBatchHeader.Size];
        short attributes = (short)(RecordBatchHeader.Attributes(batch) &
            (RecordBatchHeader.TimestampTypeMask | RecordBatchHeader.TransactionalFlag | RecordBatchHeader.ControlFlag));
        WriteHeader(output, batch, attributes, baseTimestamp: -1, RecordBatchHeader.MaxTimestamp(batch), recordCount: 0);
        RecordBatchHeader.SetCrc(output, RecordBatchHeader.ComputeCrc(output));
        destination.Advance(RecordBatchHeader.Size);
        _stats.BytesWritten += RecordBatchHeader.Size;
    }

    /// <summary>A header for <paramref name="output"/> (the whole new batch) carrying over the original's offsets, leader epoch and producer fields.</summary>
    private static void WriteHeader(Span<byte> output, ReadOnlySpan<byte> original, short attributes, long baseTimestamp,
        long maxTimestamp, int recordCount)
    {
        RecordBatchHeader.SetBaseOffset(output, RecordBatchHeader.BaseOffset(original));
        BinaryPrimitives.WriteInt32BigEndian(output[RecordBatchHeader.BatchLengthOffset..], output.Length - RecordBatchHeader.LogOverhead);
        RecordBatchHeader.SetPartitionLeaderEpoch(output, RecordBatchHeader.PartitionLeaderEpoch(original));
        output[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(output[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(output[RecordBatchHeader.LastOffsetDeltaOffset..], RecordBatchHeader.LastOffsetDelta(original));
        BinaryPrimitives.WriteInt64BigEndian(output[RecordBatchHeader.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(output[RecordBatchHeader.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(output[RecordBatchHeader.ProducerIdOffset..], RecordBatchHeader.ProducerId(original));
        BinaryPrimitives.WriteInt16BigEndian(output[RecordBatchHeader.ProducerEpochOffset..], RecordBatchHeader.ProducerEpoch(original));
        BinaryPrimitives.WriteInt32BigEndian(output[RecordBatchHeader.BaseSequenceOffset..], RecordBatchHeader.BaseSequence(original));
        BinaryPrimitives.WriteInt32BigEndian(output[RecordBatchHeader.RecordCountOffset..], recordCount);
    }
}
