using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage.Tests;

/// <summary>Idempotent appends through <see cref="PartitionLog.Append"/> and the producer state's persistence.</summary>
public class ProducerStateManagerTests
{
    private const long ProducerId = 4000;
    private static readonly LogConfig SmallSegments = LogConfig.Default with { SegmentBytes = 2048, IndexIntervalBytes = 256 };

    /// <summary>A batch of <paramref name="count"/> records from producer <paramref name="producerId"/>, sequences from <paramref name="baseSequence"/>.</summary>
    private static byte[] ProducerBatch(int baseSequence, int count = 2, short epoch = 0, long producerId = ProducerId, long timestamp = 1_700_000_000_000,
        int valueSize = 16)
    {
        var batch = TestBatches.Create(count, timestamp, valueSize);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchHeader.ProducerIdOffset), producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.ProducerEpochOffset), epoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BaseSequenceOffset), baseSequence);
        RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    private static LogAppendInfo Append(PartitionLog log, byte[] batch) => log.Append(batch.ToArray(), leaderEpoch: 0);

    private static void AssertAppended(LogAppendInfo info, long firstOffset, long lastOffset)
    {
        Assert.Equal(LogAppendError.None, info.Error);
        Assert.Equal((firstOffset, lastOffset), (info.FirstOffset, info.LastOffset));
    }

    [Fact]
    public async Task A_producer_without_state_may_start_at_any_sequence()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();

        AssertAppended(Append(log, ProducerBatch(baseSequence: 42, epoch: 3)), 0, 1);
        AssertAppended(Append(log, ProducerBatch(baseSequence: 44, epoch: 3)), 2, 3);

        var entry = log.ProducerState.GetProducer(ProducerId)!;
        Assert.Equal((3, 45, 2), (entry.ProducerEpoch, entry.LastSequence, entry.BatchCount));
    }

    [Fact]
    public async Task A_retry_of_one_of_the_last_five_batches_reports_its_original_offsets_and_is_not_appended()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var batches = new List<byte[]>();
        for (int i = 0; i < 6; i++)
        {
            batches.Add(ProducerBatch(baseSequence: i * 2, timestamp: 1_700_000_000_000 + i));
            AssertAppended(Append(log, batches[i]), i * 2, i * 2 + 1);
        }
        long sizeBefore = log.SizeInBytes;

        for (int i = 1; i < 6; i++)
        {
            var retry = Append(log, batches[i]);
            Assert.Equal((LogAppendError.None, i * 2L, i * 2L + 1), (retry.Error, retry.FirstOffset, retry.LastOffset));
            // Kafka reports the original batch's MaxTimestamp (its second record's here) as the append time of a duplicate.
            Assert.Equal(1_700_000_000_000 + i + 1, retry.LogAppendTime);
        }
        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.SizeInBytes);

        // The sixth-newest batch is no longer remembered: its retry is a sequence out of order.
        Assert.Equal(LogAppendError.OutOfOrderSequence, Append(log, batches[0]).Error);
        Assert.Equal(12, log.LogEndOffset);
    }

    [Fact]
    public async Task A_sequence_gap_is_out_of_order_and_leaves_the_log_and_state_unchanged()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(0));

        var gap = Append(log, ProducerBatch(3));

        Assert.Equal(LogAppendError.OutOfOrderSequence, gap.Error);
        Assert.Equal(0, gap.LogStartOffset);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(1, log.ProducerState.GetProducer(ProducerId)!.LastSequence);
        AssertAppended(Append(log, ProducerBatch(2)), 2, 3);
    }

    [Fact]
    public async Task An_older_epoch_is_fenced()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(0, epoch: 5));

        Assert.Equal(LogAppendError.InvalidProducerEpoch, Append(log, ProducerBatch(2, epoch: 4)).Error);
        Assert.Equal(LogAppendError.InvalidProducerEpoch, Append(log, ProducerBatch(0, epoch: 4)).Error);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public async Task A_new_epoch_starts_at_sequence_zero_and_forgets_the_old_epochs_batches()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var oldEpochBatch = ProducerBatch(0, epoch: 0);
        Append(log, oldEpochBatch);
        Append(log, ProducerBatch(2, epoch: 0));

        Assert.Equal(LogAppendError.OutOfOrderSequence, Append(log, ProducerBatch(4, epoch: 1)).Error);
        AssertAppended(Append(log, ProducerBatch(0, epoch: 1)), 4, 5);

        Assert.Equal(LogAppendError.InvalidProducerEpoch, Append(log, oldEpochBatch).Error);
        var entry = log.ProducerState.GetProducer(ProducerId)!;
        Assert.Equal((1, 1), (entry.ProducerEpoch, entry.BatchCount));
    }

    [Fact]
    public async Task Sequences_wrap_from_int_max_value_to_zero()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(int.MaxValue - 3, count: 2));             // MaxValue-3 .. MaxValue-2
        var wrapping = ProducerBatch(int.MaxValue - 1, count: 4);          // MaxValue-1, MaxValue, 0, 1
        AssertAppended(Append(log, wrapping), 2, 5);
        Assert.Equal(1, log.ProducerState.GetProducer(ProducerId)!.LastSequence);

        var retry = Append(log, wrapping);
        Assert.Equal((2L, 5L), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(LogAppendError.OutOfOrderSequence, Append(log, ProducerBatch(3)).Error);
        AssertAppended(Append(log, ProducerBatch(2)), 6, 7);
    }

    [Fact]
    public async Task Batches_of_one_producer_in_one_append_are_checked_against_each_other()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(0));

        AssertAppended(log.Append(TestBatches.Concat(ProducerBatch(2), ProducerBatch(4), TestBatches.Create(1)), 0), 2, 6);
        Assert.Equal(LogAppendError.OutOfOrderSequence, log.Append(TestBatches.Concat(ProducerBatch(6), ProducerBatch(9)), 0).Error);
        Assert.Equal(LogAppendError.InvalidProducerEpoch,
            log.Append(TestBatches.Concat(ProducerBatch(0, epoch: 2), ProducerBatch(2, epoch: 1)), 0).Error);
        Assert.Equal(7, log.LogEndOffset);
        Assert.Equal(5, log.ProducerState.GetProducer(ProducerId)!.LastSequence);
    }

    [Fact]
    public async Task Batches_without_a_producer_id_keep_no_state()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();

        Append(log, TestBatches.Create(3));
        Append(log, TestBatches.Create(3));

        Assert.Equal(0, log.ProducerState.ProducerCount);
        Assert.Equal(6, log.LogEndOffset);
    }

    [Fact]
    public async Task A_clean_restart_loads_the_snapshot_taken_at_the_log_end_offset()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var last = ProducerBatch(4);
        Append(log, ProducerBatch(0));
        Append(log, ProducerBatch(2));
        Append(log, last);

        await context.ReopenAsync();
        log = context.Log();

        Assert.True(File.Exists(Path.Combine(context.PartitionDirectory(), "00000000000000000006.snapshot")));
        var retry = Append(log, last);
        Assert.Equal((LogAppendError.None, 4L, 5L), (retry.Error, retry.FirstOffset, retry.LastOffset));
        // Kafka's snapshot keeps each producer's newest batch only.
        Assert.Equal(LogAppendError.OutOfOrderSequence, Append(log, ProducerBatch(2)).Error);
        AssertAppended(Append(log, ProducerBatch(6)), 6, 7);
        Assert.Empty(context.Reports);
    }

    [Fact]
    public async Task After_a_crash_the_state_is_rebuilt_from_the_batch_headers()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var batches = new List<byte[]>();
        for (int i = 0; i < 5; i++)
        {
            batches.Add(ProducerBatch(i * 2, producerId: ProducerId));
            Append(log, batches[^1]);
            Append(log, ProducerBatch(i, count: 1, epoch: 7, producerId: ProducerId + 1));
        }

        await context.ReopenAfterCrashAsync(damage: directory =>
        {
            foreach (var snapshot in Directory.GetFiles(Path.Combine(directory, "orders-0"), "*.snapshot"))
            {
                File.Delete(snapshot);
            }
        });
        log = context.Log();

        for (int i = 0; i < 5; i++)
        {
            var retry = Append(log, batches[i]);
            Assert.Equal((LogAppendError.None, i * 3L, i * 3L + 1), (retry.Error, retry.FirstOffset, retry.LastOffset));
        }
        Assert.Equal(15, log.LogEndOffset);
        Assert.Equal((7, 4), (log.ProducerState.GetProducer(ProducerId + 1)!.ProducerEpoch, log.ProducerState.GetProducer(ProducerId + 1)!.LastSequence));
        Assert.True(File.Exists(Path.Combine(context.PartitionDirectory(), "00000000000000000015.snapshot")), "a snapshot is taken after the rebuild");
    }

    [Fact]
    public async Task Rolls_take_snapshots_and_recovery_replays_only_after_the_last_one_that_fits()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        int sequence = 0;
        while (log.SegmentCount < 4)
        {
            Append(log, ProducerBatch(sequence, count: 4, valueSize: 100));
            sequence += 4;
        }
        var segmentBases = log.Segments.Snapshot.Select(segment => segment.BaseOffset).ToArray();
        Assert.Equal(segmentBases[1..], log.ProducerState.SnapshotOffsets);
        var last = ProducerBatch(sequence, count: 4, valueSize: 100);
        AssertAppended(Append(log, last), sequence, sequence + 3);
        long logEndOffset = log.LogEndOffset;

        // A snapshot past the recovered log end offset (a torn tail) must not be used.
        await context.ReopenAfterCrashAsync(damage: directory =>
            File.WriteAllBytes(ProducerSnapshotFile.Path(Path.Combine(directory, "orders-0"), logEndOffset + 100), [1, 2, 3]));
        log = context.Log();

        Assert.False(File.Exists(ProducerSnapshotFile.Path(context.PartitionDirectory(), logEndOffset + 100)));
        var retry = Append(log, last);
        Assert.Equal((LogAppendError.None, (long)sequence), (retry.Error, retry.FirstOffset));
        AssertAppended(Append(log, ProducerBatch(sequence + 4, count: 1)), logEndOffset, logEndOffset);
    }

    [Fact]
    public async Task An_unreadable_snapshot_is_reported_and_the_state_rebuilt_from_the_log()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var last = ProducerBatch(2);
        Append(log, ProducerBatch(0));
        Append(log, last);

        await context.ReopenAsync(beforeOpen: directory =>
        {
            string snapshot = ProducerSnapshotFile.Path(Path.Combine(directory, "orders-0"), 4);
            var bytes = File.ReadAllBytes(snapshot);
            bytes[^1] ^= 0xFF;
            File.WriteAllBytes(snapshot, bytes);
        });
        log = context.Log();

        Assert.Contains(context.Reports, line => line.Contains("CRC mismatch", StringComparison.Ordinal));
        Assert.Equal(2L, Append(log, last).FirstOffset);
        Assert.Equal(LogAppendError.None, Append(log, ProducerBatch(0)).Error); // rebuilt from the log: all five batches known again
    }

    [Fact]
    public async Task A_clean_restart_without_snapshots_assumes_no_producers_as_kafka_does_after_an_upgrade()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(0));

        await context.ReopenAsync(beforeOpen: directory => File.Delete(ProducerSnapshotFile.Path(Path.Combine(directory, "orders-0"), 2)));
        log = context.Log();

        Assert.Equal(0, log.ProducerState.ProducerCount);
        Assert.True(File.Exists(ProducerSnapshotFile.Path(context.PartitionDirectory(), 2)));
        AssertAppended(Append(log, ProducerBatch(9)), 2, 3);
    }

    [Fact]
    public async Task Producers_idle_for_the_expiration_time_are_forgotten()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        long now = context.Time.NowMs;
        Append(log, ProducerBatch(0, count: 1, timestamp: now - 86_400_000 + 1));
        Append(log, ProducerBatch(0, count: 1, producerId: ProducerId + 1, timestamp: now));

        Assert.Equal(0, context.Manager.RemoveExpiredProducers());
        context.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, context.Manager.RemoveExpiredProducers());

        Assert.Null(log.ProducerState.GetProducer(ProducerId));
        AssertAppended(Append(log, ProducerBatch(17)), 2, 3);
    }

    [Fact]
    public async Task Expired_producers_are_not_loaded_from_a_snapshot()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, ProducerBatch(0, timestamp: context.Time.NowMs));
        Append(log, ProducerBatch(0, producerId: ProducerId + 1, timestamp: context.Time.NowMs + 1_000));

        await context.ReopenAsync(beforeOpen: _ => context.Time.Advance(TimeSpan.FromMilliseconds(86_400_500)));
        log = context.Log();

        Assert.Null(log.ProducerState.GetProducer(ProducerId));
        Assert.NotNull(log.ProducerState.GetProducer(ProducerId + 1));
    }

    [Fact]
    public async Task Retention_deletes_the_snapshots_of_the_segments_it_deletes()
    {
        await using var context = LogTestContext.Open(SmallSegments with { FileDeleteDelayMs = 0, RetentionMs = -1 });
        var log = context.CreateLog();
        int sequence = 0;
        while (log.SegmentCount < 4)
        {
            Append(log, ProducerBatch(sequence, count: 4, valueSize: 100));
            sequence += 4;
        }
        var segmentBases = log.Segments.Snapshot.Select(segment => segment.BaseOffset).ToArray();

        Assert.True(log.TryAdvanceLogStartOffset(segmentBases[2], out _));

        Assert.Equal(segmentBases[2..], log.ProducerState.SnapshotOffsets);
        Assert.False(File.Exists(ProducerSnapshotFile.Path(context.PartitionDirectory(), segmentBases[1])));
        Assert.True(File.Exists(ProducerSnapshotFile.Path(context.PartitionDirectory(), segmentBases[2])));
    }

    [Fact]
    public async Task Snapshots_are_written_in_kafkas_format()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        Append(log, TestBatches.Create(1));
        Append(log, ProducerBatch(10, count: 3, epoch: 2, timestamp: 1_700_000_000_123));

        await context.ReopenAsync();

        var bytes = File.ReadAllBytes(ProducerSnapshotFile.Path(context.PartitionDirectory(), 4));
        Assert.Equal(10 + 46, bytes.Length);
        Assert.Equal(1, BinaryPrimitives.ReadInt16BigEndian(bytes));
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(6)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(6)));
        var entry = bytes.AsSpan(10);
        Assert.Equal(ProducerId, BinaryPrimitives.ReadInt64BigEndian(entry));
        Assert.Equal(2, BinaryPrimitives.ReadInt16BigEndian(entry[8..]));
        Assert.Equal(12, BinaryPrimitives.ReadInt32BigEndian(entry[10..]));       // last sequence
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(entry[14..]));        // last offset
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(entry[22..]));        // offset delta
        Assert.Equal(1_700_000_000_125, BinaryPrimitives.ReadInt64BigEndian(entry[26..]));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(entry[34..]));       // coordinator epoch
        Assert.Equal(-1, BinaryPrimitives.ReadInt64BigEndian(entry[38..]));       // no transaction
    }
}
