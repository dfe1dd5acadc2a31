using System.Runtime.InteropServices;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage.Checkpoints;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage;

/// <summary>
/// The idempotent producers of one partition log (Kafka's ProducerStateManager, without
/// transactions): for each producer id its epoch and last batches, so that appends are checked
/// as Kafka checks them (ProducerAppendInfo) and retries are recognised.
/// <list type="bullet">
/// <item>A batch whose epoch and sequence range equal one of the producer's last five batches is a
/// duplicate: nothing is appended, and the append reports the original batch's offsets.</item>
/// <item>An epoch below the producer's current one: INVALID_PRODUCER_EPOCH (the producer was fenced).</item>
/// <item>A new epoch must start at sequence 0; within an epoch each batch must continue the last
/// one's sequence (wrapping from int.MaxValue to 0): otherwise OUT_OF_ORDER_SEQUENCE_NUMBER. A
/// producer with no state here (new, expired, or its batches deleted) may start at any sequence,
/// as Kafka accepts since KIP-360.</item>
/// <item>Producers idle for <c>producer.id.expiration.ms</c>, measured from their last batch's
/// MaxTimestamp as in Kafka, are forgotten by <see cref="RemoveExpiredProducers"/>.</item>
/// <item>Persistence: <see cref="ProducerSnapshotFile"/>s, taken when a segment rolls (at its base
/// offset) and at a clean shutdown (at the log end offset). <see cref="Load"/> starts from the latest
/// usable snapshot and replays the batch headers after it (Kafka's rebuildProducerState).</item>
/// </list>
/// Not thread-safe: the owning <see cref="PartitionLog"/> calls it under its partition lock.
/// </summary>
internal sealed class ProducerStateManager
{
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;

    /// <summary>Replay reads segments sequentially in reads of this size.</summary>
    private const int ReplayBufferSize = 256 * 1024;

    private readonly Dictionary<long, ProducerStateEntry> _producers = [];
    private readonly List<long> _snapshotOffsets;
    private readonly long _producerIdExpirationMs;
    private long _lastSnapshotOffset;

    private ProducerStateManager(List<long> snapshotOffsets, long producerIdExpirationMs)
    {
        _snapshotOffsets = snapshotOffsets;
        _producerIdExpirationMs = producerIdExpirationMs;
    }

    public int ProducerCount => _producers.Count;

    /// <summary>The offsets of the snapshot files this log has on disk, ascending.</summary>
    public IReadOnlyList<long> SnapshotOffsets => _snapshotOffsets;

    public ProducerStateEntry? GetProducer(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>Every producer with state here, for DescribeProducers; read under the partition lock.</summary>
    public List<ActiveProducer> ActiveProducers()
    {
        var producers = new List<ActiveProducer>(_producers.Count);
        foreach (var entry in _producers.Values)
        {
            producers.Add(new ActiveProducer(entry.ProducerId, entry.ProducerEpoch, entry.LastSequence, entry.LastTimestamp));
        }
        return producers;
    }

    /// <summary>
    /// Producer id -> the last offset of its newest batch (Kafka's lastRecordsOfActiveProducers): the
    /// log cleaner keeps those batches, emptied of records if need be, so that a rebuilt state still
    /// knows each producer's epoch and last sequence.
    /// </summary>
    public Dictionary<long, long> LastBatchOffsets()
    {
        var offsets = new Dictionary<long, long>(_producers.Count);
        foreach (var entry in _producers.Values)
        {
            if (entry.BatchCount > 0)
            {
                offsets[entry.ProducerId] = entry[entry.BatchCount - 1].LastOffset;
            }
        }
        return offsets;
    }

    /// <summary>
    /// Checks the producer batches in <paramref name="records"/> (offsets assigned, nothing appended
    /// yet) against the producers' state. Returns the error that refuses the whole append, or None;
    /// <paramref name="duplicate"/> is set when a batch repeats one already in the log, in which case
    /// the append must not happen and reports that batch instead.
    /// </summary>
    public LogAppendError Validate(ReadOnlySpan<byte> records, out BatchMetadata? duplicate)
    {
        duplicate = null;
        for (int position = 0; position < records.Length; position += RecordBatchHeader.SizeInBytes(records[position..]))
        {
            var batch = records[position..];
            long producerId = RecordBatchHeader.ProducerId(batch);
            if (producerId < 0)
            {
                continue;
            }
            short epoch = RecordBatchHeader.ProducerEpoch(batch);
            int firstSequence = RecordBatchHeader.BaseSequence(batch);
            var entry = _producers.GetValueOrDefault(producerId);
            if (entry?.FindDuplicate(epoch, firstSequence, LastSequence(batch)) is { } original)
            {
                duplicate = original;
                return LogAppendError.None;
            }
            var error = CheckEpochAndSequence(entry, records[..position], producerId, epoch, firstSequence);
            if (error != LogAppendError.None)
            {
                return error;
            }
        }
        return LogAppendError.None;
    }

    /// <summary>
    /// Kafka's checkProducerEpoch and checkSequence, against the stored state as the earlier batches of
    /// the same producer in this append would leave it.
    /// </summary>
    private static LogAppendError CheckEpochAndSequence(ProducerStateEntry? entry, ReadOnlySpan<byte> earlierBatches, long producerId,
        short epoch, int firstSequence)
    {
        short storedEpoch = entry?.ProducerEpoch ?? NoProducerEpoch;
        short currentEpoch = storedEpoch;
        int currentLastSequence = NoSequence;
        bool appendedEarlier = FindLastBatchOf(earlierBatches, producerId, out short earlierEpoch, out int earlierLastSequence);
        if (appendedEarlier)
        {
            currentEpoch = earlierEpoch;
            currentLastSequence = earlierLastSequence;
        }
        else if (entry is not null)
        {
            currentLastSequence = entry.LastSequence;
        }
        if (epoch < currentEpoch)
        {
            return LogAppendError.InvalidProducerEpoch;
        }
        if (epoch != currentEpoch)
        {
            return firstSequence != 0 && currentEpoch != NoProducerEpoch ? LogAppendError.OutOfOrderSequence : LogAppendError.None;
        }
        // With no stored epoch (the producer's batches were all deleted or expired) any sequence is accepted.
        return storedEpoch == NoProducerEpoch || InSequence(currentLastSequence, firstSequence)
            ? LogAppendError.None
            : LogAppendError.OutOfOrderSequence;
    }

    private static bool FindLastBatchOf(ReadOnlySpan<byte> batches, long producerId, out short epoch, out int lastSequence)
    {
        bool found = false;
        epoch = NoProducerEpoch;
        lastSequence = NoSequence;
        for (int position = 0; position < batches.Length; position += RecordBatchHeader.SizeInBytes(batches[position..]))
        {
            var batch = batches[position..];
            if (RecordBatchHeader.ProducerId(batch) == producerId)
            {
                found = true;
                epoch = RecordBatchHeader.ProducerEpoch(batch);
                lastSequence = LastSequence(batch);
            }
        }
        return found;
    }

    private static bool InSequence(int lastSequence, int nextSequence) =>
        nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == int.MaxValue);

    private static int LastSequence(ReadOnlySpan<byte> batch) =>
        BatchMetadata.IncrementSequence(RecordBatchHeader.BaseSequence(batch), RecordBatchHeader.LastOffsetDelta(batch));

    /// <summary>Records the producer batches of an append that was written (offsets assigned).</summary>
    public void Update(ReadOnlySpan<byte> records)
    {
        for (int position = 0; position < records.Length; position += RecordBatchHeader.SizeInBytes(records[position..]))
        {
            var batch = records[position..];
            long producerId = RecordBatchHeader.ProducerId(batch);
            if (producerId >= 0)
            {
                ApplyBatch(batch, producerId);
            }
        }
    }

    private void ApplyBatch(ReadOnlySpan<byte> batch, long producerId)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_producers, producerId, out _);
        entry ??= new ProducerStateEntry(producerId, NoProducerEpoch, -1);
        entry.AddBatch(RecordBatchHeader.ProducerEpoch(batch), new BatchMetadata(LastSequence(batch), RecordBatchHeader.LastOffset(batch),
            RecordBatchHeader.LastOffsetDelta(batch), RecordBatchHeader.MaxTimestamp(batch)));
    }

    /// <summary>Forgets the producers whose last batch is at least <c>producer.id.expiration.ms</c> old; returns how many.</summary>
    public int RemoveExpiredProducers(long nowMs)
    {
        int removed = 0;
        foreach (var entry in _producers.Values)
        {
            if (IsExpired(entry, nowMs))
            {
                _producers.Remove(entry.ProducerId);
                removed++;
            }
        }
        return removed;
    }

    private bool IsExpired(ProducerStateEntry entry, long nowMs) => nowMs - entry.LastTimestamp >= _producerIdExpirationMs;

    /// <summary>
    /// Writes the state as a snapshot at <paramref name="offset"/> (which the state must describe:
    /// every record below it applied, none above), unless that offset is not past the last snapshot
    /// taken or loaded: as in Kafka, a snapshot is taken only once the log has moved on. Returns the
    /// file written, or null.
    /// </summary>
    public string? TakeSnapshot(string directory, long offset, bool sync)
    {
        if (offset <= _lastSnapshotOffset)
        {
            return null;
        }
        string path = ProducerSnapshotFile.Path(directory, offset);
        ProducerSnapshotFile.Write(path, _producers.Values, sync);
        _lastSnapshotOffset = offset;
        int index = _snapshotOffsets.BinarySearch(offset);
        if (index < 0)
        {
            _snapshotOffsets.Insert(~index, offset);
        }
        return path;
    }

    /// <summary>Deletes the snapshots below <paramref name="offset"/> (the base offset of the log's first segment after retention).</summary>
    public void DeleteSnapshotsBelow(string directory, long offset)
    {
        while (_snapshotOffsets.Count > 0 && _snapshotOffsets[0] < offset)
        {
            File.Delete(ProducerSnapshotFile.Path(directory, _snapshotOffsets[0]));
            _snapshotOffsets.RemoveAt(0);
        }
    }

    /// <summary>
    /// Rebuilds the state of a log that was just loaded (Kafka's rebuildProducerState):
    /// <list type="number">
    /// <item>Snapshots that no longer fit are deleted: those above the log end offset (the log was
    /// truncated by recovery), at or below the log start offset, and strays at no segment's base
    /// offset except the newest one when it lies past the last segment's base (the clean shutdown one).</item>
    /// <item>No snapshot left after a clean shutdown means the log predates producer state (or had no
    /// producers): nothing is replayed, and an empty snapshot at the log end offset marks the state as
    /// known from now on.</item>
    /// <item>Otherwise the newest readable snapshot is loaded (an unreadable one is reported and
    /// deleted), without expired producers, and the batch headers from its offset (or the log start
    /// offset) to the log end offset are replayed without checks, as Kafka replays replicated batches.
    /// A snapshot is then taken at the log end offset.</item>
    /// </list>
    /// </summary>
    public static ProducerStateManager Load(string directory, LogSegment[] segments, long logStartOffset, long logEndOffset,
        bool hadCleanShutdown, long producerIdExpirationMs, long nowMs, Action<string> report)
    {
        var offsets = ProducerSnapshotFile.ListOffsets(directory);
        var manager = new ProducerStateManager([], producerIdExpirationMs) { _lastSnapshotOffset = logStartOffset };
        long lastSegmentBaseOffset = segments[^1].BaseOffset;
        int newestInRange = offsets.FindLastIndex(offset => offset > logStartOffset && offset <= logEndOffset);
        for (int i = 0; i < offsets.Count; i++)
        {
            long offset = offsets[i];
            bool inRange = offset > logStartOffset && offset <= logEndOffset;
            bool isSegmentBase = Array.Exists(segments, segment => segment.BaseOffset == offset);
            bool isNewestStray = i == newestInRange && offset > lastSegmentBaseOffset;
            if (inRange && (isSegmentBase || isNewestStray))
            {
                manager._snapshotOffsets.Add(offset);
            }
            else
            {
                File.Delete(ProducerSnapshotFile.Path(directory, offset));
            }
        }
        if (manager._snapshotOffsets.Count == 0 && hadCleanShutdown)
        {
            manager.TakeSnapshot(directory, logEndOffset, sync: true);
            return manager;
        }
        long stateOffset = manager.LoadNewestSnapshot(directory, logStartOffset, nowMs, report);
        if (logEndOffset > stateOffset)
        {
            manager.Replay(segments, stateOffset, logEndOffset);
            manager.TakeSnapshot(directory, logEndOffset, sync: true);
        }
        return manager;
    }

    /// <summary>Loads the newest readable snapshot; returns the offset the state now describes.</summary>
    private long LoadNewestSnapshot(string directory, long logStartOffset, long nowMs, Action<string> report)
    {
        while (_snapshotOffsets.Count > 0)
        {
            long offset = _snapshotOffsets[^1];
            string path = ProducerSnapshotFile.Path(directory, offset);
            List<ProducerStateEntry> entries;
            try
            {
                entries = ProducerSnapshotFile.Read(path);
            }
            catch (InvalidDataException e)
            {
                report($"{e.Message}; it is deleted and the producer state is rebuilt from an earlier point of the log");
                File.Delete(path);
                _snapshotOffsets.RemoveAt(_snapshotOffsets.Count - 1);
                continue;
            }
            foreach (var entry in entries)
            {
                if (!IsExpired(entry, nowMs))
                {
                    _producers[entry.ProducerId] = entry;
                }
            }
            _lastSnapshotOffset = offset;
            return offset;
        }
        _lastSnapshotOffset = logStartOffset;
        return logStartOffset;
    }

    /// <summary>Applies the producer batches from the one holding <paramref name="startOffset"/> up to <paramref name="endOffset"/>, reading headers only.</summary>
    private void Replay(LogSegment[] segments, long startOffset, long endOffset)
    {
        for (int i = Math.Max(0, LogSegments.FloorIndex(segments, startOffset)); i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.BaseOffset >= endOffset)
            {
                break;
            }
            long position = segment.BaseOffset <= startOffset ? segment.OffsetIndex.Lookup(startOffset).Position : 0;
            using var reader = new SegmentBatchReader(segment, position, ReplayBufferSize);
            while (reader.TryReadNext(out var batch))
            {
                if (RecordBatchHeader.BaseOffset(batch) >= endOffset)
                {
                    break;
                }
                long producerId = RecordBatchHeader.ProducerId(batch);
                if (producerId >= 0 && RecordBatchHeader.LastOffset(batch) >= startOffset && !RecordBatchHeader.IsControl(batch))
                {
                    ApplyBatch(batch, producerId);
                }
            }
        }
    }
}
