using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Storage.Tests;

public class PartitionLogTests
{
    private static readonly LogConfig SmallSegments = LogConfig.Default with { SegmentBytes = 4096, IndexIntervalBytes = 256 };

    [Fact]
    public async Task Append_assigns_offsets_and_leader_epoch_in_the_callers_buffer()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var first = TestBatches.Create(3);
        var second = TestBatches.Concat(TestBatches.Create(2), TestBatches.Create(4));

        var firstInfo = log.Append(first, leaderEpoch: 7);
        var secondInfo = log.Append(second, leaderEpoch: 7);

        Assert.Equal((LogAppendError.None, 0L, 2L, -1L, 0L), (firstInfo.Error, firstInfo.FirstOffset, firstInfo.LastOffset, firstInfo.LogAppendTime, firstInfo.LogStartOffset));
        Assert.Equal((3L, 8L), (secondInfo.FirstOffset, secondInfo.LastOffset));
        Assert.Equal(0, RecordBatchHeader.BaseOffset(first));
        Assert.Equal(7, RecordBatchHeader.PartitionLeaderEpoch(first));
        Assert.Equal([(3L, 4L, 0), (5L, 8L, 0)], TestBatches.Parse(second).Select(b => (b.BaseOffset, b.LastOffset, 0)));
        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal(9, log.HighWatermark);
    }

    [Fact]
    public async Task Read_returns_the_appended_bytes_across_segment_rolls()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        var appended = new List<byte[]>();
        for (int i = 0; i < 60; i++)
        {
            var batch = TestBatches.Create(1 + i % 4, valueSize: 100);
            log.Append(batch, 0);
            appended.Add(batch);
        }
        Assert.True(log.SegmentCount > 3, $"expected rolls, got {log.SegmentCount} segments");

        var all = TestBatches.ToArray(log.Read(0, int.MaxValue, log.HighWatermark, minOneMessage: true).Records);
        // One read stops at the end of the first segment; keep reading to collect the whole log.
        var collected = new List<byte>();
        long next = 0;
        while (next < log.LogEndOffset)
        {
            var result = log.Read(next, 1 << 20, log.HighWatermark, minOneMessage: true);
            var bytes = TestBatches.ToArray(result.Records);
            Assert.NotEmpty(bytes);
            collected.AddRange(bytes);
            next = TestBatches.Parse(bytes)[^1].LastOffset + 1;
        }
        Assert.Equal(TestBatches.Concat([.. appended]), collected.ToArray());
        Assert.Equal(all, collected.Take(all.Length).ToArray());
        foreach (var segment in log.Segments.Snapshot)
        {
            Assert.True(segment.Size <= SmallSegments.SegmentBytes);
        }
    }

    [Fact]
    public async Task Read_at_the_end_of_a_segment_continues_in_the_next()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        while (log.SegmentCount < 3)
        {
            log.Append(TestBatches.Create(2, valueSize: 200), 0);
        }
        var second = log.Segments.Snapshot[1];

        var result = log.Read(second.BaseOffset, 100_000, log.HighWatermark, minOneMessage: true);

        var batches = TestBatches.Parse(TestBatches.ToArray(result.Records));
        Assert.Equal(second.BaseOffset, batches[0].BaseOffset);
        Assert.Same(second.LogFile, ((FileRecords)result.Records).File);
    }

    [Fact]
    public async Task Read_from_the_middle_of_a_batch_returns_the_whole_batch_holding_it()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        for (int i = 0; i < 40; i++)
        {
            log.Append(TestBatches.Create(5, valueSize: 50), 0);
        }

        for (long offset = 0; offset < log.LogEndOffset; offset++)
        {
            var batches = TestBatches.Parse(TestBatches.ToArray(log.Read(offset, 1, log.HighWatermark, minOneMessage: true).Records));
            Assert.Single(batches);
            Assert.Equal(offset / 5 * 5, batches[0].BaseOffset);
        }
    }

    [Fact]
    public async Task Read_returns_whole_batches_within_max_bytes_and_the_first_batch_even_if_larger()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { IndexIntervalBytes = 100 });
        var log = context.CreateLog();
        int size = TestBatches.Create(1, valueSize: 100).Length;
        for (int i = 0; i < 50; i++)
        {
            log.Append(TestBatches.Create(1, valueSize: 100), 0);
        }
        log.Append(TestBatches.Create(1, valueSize: 5000), 0);

        var threeAndABit = log.Read(10, size * 3 + size / 2, log.HighWatermark, minOneMessage: false);
        Assert.Equal([10L, 11L, 12L], TestBatches.Parse(TestBatches.ToArray(threeAndABit.Records)).Select(b => b.BaseOffset));
        var many = log.Read(0, size * 45, log.HighWatermark, minOneMessage: false);
        Assert.Equal(45, TestBatches.Parse(TestBatches.ToArray(many.Records)).Count);

        var large = log.Read(50, 100, log.HighWatermark, minOneMessage: true);
        Assert.Equal(TestBatches.Create(1, valueSize: 5000).Length, large.Records.SizeInBytes);
        var refused = log.Read(50, 100, log.HighWatermark, minOneMessage: false);
        Assert.Equal(0, refused.Records.SizeInBytes);
        Assert.False(refused.OffsetOutOfRange);
    }

    [Fact]
    public async Task Read_never_returns_a_batch_reaching_the_upper_bound()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { IndexIntervalBytes = 0 });
        var log = context.CreateLog();
        for (int i = 0; i < 10; i++)
        {
            log.Append(TestBatches.Create(2), 0);
        }

        var bounded = log.Read(0, int.MaxValue, maxOffset: 8, minOneMessage: true);
        Assert.Equal([0L, 2L, 4L, 6L], TestBatches.Parse(TestBatches.ToArray(bounded.Records)).Select(b => b.BaseOffset));
        Assert.Equal(0, log.Read(8, int.MaxValue, maxOffset: 8, minOneMessage: true).Records.SizeInBytes);
        Assert.Equal(0, log.Read(9, int.MaxValue, maxOffset: 9, minOneMessage: true).Records.SizeInBytes);
    }

    [Fact]
    public async Task Read_outside_the_log_is_out_of_range_and_at_the_end_is_empty()
    {
        await using var context = LogTestContext.Open(SmallSegments with { FileDeleteDelayMs = 0, RetentionMs = -1 });
        var log = context.CreateLog();
        for (int i = 0; i < 30; i++)
        {
            log.Append(TestBatches.Create(2, valueSize: 200), 0);
        }
        Assert.True(log.TryAdvanceLogStartOffset(20, out _));

        Assert.True(log.Read(19, 1000, log.HighWatermark, true).OffsetOutOfRange);
        Assert.True(log.Read(61, 1000, log.HighWatermark, true).OffsetOutOfRange);
        var atEnd = log.Read(60, 1000, log.HighWatermark, true);
        Assert.False(atEnd.OffsetOutOfRange);
        Assert.Equal(0, atEnd.Records.SizeInBytes);
        Assert.Equal(20, log.Read(20, 1000, log.HighWatermark, true).LogStartOffset);
    }

    [Fact]
    public async Task Offset_index_is_sparse_and_lookups_land_on_batch_starts()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { IndexIntervalBytes = 1000 });
        var log = context.CreateLog();
        int batchSize = TestBatches.Create(3, valueSize: 100).Length;
        for (int i = 0; i < 100; i++)
        {
            log.Append(TestBatches.Create(3, valueSize: 100), 0);
        }
        var index = log.Segments.Active.OffsetIndex;

        // An entry once more than 1000 bytes were written since the last one.
        int batchesPerEntry = 1000 / batchSize + 1;
        Assert.InRange(index.Entries, 100 / batchesPerEntry - 1, 100 / batchesPerEntry + 1);
        for (int n = 0; n < index.Entries; n++)
        {
            var entry = index.Entry(n);
            Assert.Equal(0, entry.Position % batchSize);
            Assert.Equal(entry.Position / batchSize * 3 + 2, entry.Offset); // the batch's last offset
        }
        for (long offset = 0; offset < 300; offset++)
        {
            var found = index.Lookup(offset);
            Assert.True(found.Offset <= offset || found.Position == 0);
            Assert.True(offset - found.Offset <= batchesPerEntry * 3 + 3);
        }
    }

    [Fact]
    public async Task LogAppendTime_topics_stamp_the_batch_and_keep_the_crc_valid()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { MessageTimestampType = TimestampType.LogAppendTime });
        var log = context.CreateLog();
        var batch = TestBatches.Create(3, baseTimestamp: 5);

        var info = log.Append(batch, 0);

        Assert.Equal(context.Time.NowMs, info.LogAppendTime);
        Assert.Equal(context.Time.NowMs, RecordBatchHeader.MaxTimestamp(batch));
        Assert.NotEqual(0, RecordBatchHeader.Attributes(batch) & RecordBatchHeader.TimestampTypeMask);
        Assert.True(RecordBatchHeader.IsCrcValid(batch));
        Assert.Equal(new TimestampAndOffset(context.Time.NowMs, 0, 0), log.FetchOffsetByTimestamp(context.Time.NowMs, log.HighWatermark));
    }

    [Fact]
    public async Task Append_rejects_broken_framing_and_batches_larger_than_a_segment()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { SegmentBytes = 500 });
        var log = context.CreateLog();
        var batch = TestBatches.Create(2);

        Assert.Equal(LogAppendError.CorruptRecords, log.Append(batch.AsSpan(0, batch.Length - 1).ToArray(), 0).Error);
        Assert.Equal(LogAppendError.CorruptRecords, log.Append(Array.Empty<byte>(), 0).Error);
        Assert.Equal(LogAppendError.RecordBatchTooLarge, log.Append(TestBatches.Create(1, valueSize: 600), 0).Error);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(LogAppendError.None, log.Append(batch, 0).Error);
    }

    [Fact]
    public async Task Segment_rolls_when_its_first_batch_is_older_than_segment_ms()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { SegmentMs = 60_000 });
        var log = context.CreateLog();
        log.Append(TestBatches.Create(1, baseTimestamp: 1_000_000), 0);
        log.Append(TestBatches.Create(1, baseTimestamp: 1_050_000), 0);
        Assert.Equal(1, log.SegmentCount);

        log.Append(TestBatches.Create(1, baseTimestamp: 1_060_001), 0);

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.Segments.Active.BaseOffset);
    }

    [Fact]
    public async Task Offsets_by_timestamp_find_the_first_record_at_or_after_the_target()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        // 50 batches of 4 records with timestamps 10_000 + 10 * offset.
        for (int i = 0; i < 50; i++)
        {
            log.Append(TestBatches.Create(4, baseTimestamp: 10_000 + i * 40, valueSize: 60, timestampStep: 10), 0);
        }
        Assert.True(log.SegmentCount > 2);
        long hw = log.HighWatermark;

        Assert.Equal(new TimestampAndOffset(-1, 0, -1), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.Earliest, hw));
        Assert.Equal(new TimestampAndOffset(-1, 200, -1), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.Latest, hw));
        Assert.Equal(new TimestampAndOffset(-1, 150, -1), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.Latest, 150));
        for (long offset = 0; offset < 200; offset += 7)
        {
            long timestamp = 10_000 + 10 * offset;
            Assert.Equal(new TimestampAndOffset(timestamp, offset, 0), log.FetchOffsetByTimestamp(timestamp, hw));
            Assert.Equal(new TimestampAndOffset(timestamp + 10, offset + 1, 0), log.FetchOffsetByTimestamp(timestamp + 1, hw));
        }
        Assert.Equal(new TimestampAndOffset(10_000, 0, 0), log.FetchOffsetByTimestamp(0, hw));
        Assert.Null(log.FetchOffsetByTimestamp(10_000 + 10 * 200, hw));
        Assert.Null(log.FetchOffsetByTimestamp(10_000 + 10 * 150, maxOffset: 150));
        Assert.Equal(new TimestampAndOffset(10_000 + 10 * 199, 199, 0), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.MaxTimestamp, hw));
    }

    [Fact]
    public async Task Max_timestamp_is_the_first_record_carrying_it_even_when_later_records_are_older()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        log.Append(TestBatches.Create([100, 900, 300]), 0);
        log.Append(TestBatches.Create([400, 500]), 0);

        Assert.Equal(new TimestampAndOffset(900, 1, 0), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.MaxTimestamp, log.HighWatermark));
        Assert.Equal(new TimestampAndOffset(900, 1, 0), log.FetchOffsetByTimestamp(150, log.HighWatermark));
        Assert.Null(log.FetchOffsetByTimestamp(ListOffsetsTimestamp.MaxTimestamp, maxOffset: 1));
    }

    [Fact]
    public async Task Offsets_by_timestamp_look_inside_compressed_batches()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        log.Append(TestBatches.Create(10, baseTimestamp: 1_000, timestampStep: 100, compression: CompressionType.Gzip), 0);

        Assert.Equal(new TimestampAndOffset(1_500, 5, 0), log.FetchOffsetByTimestamp(1_450, log.HighWatermark));
        Assert.Equal(new TimestampAndOffset(1_900, 9, 0), log.FetchOffsetByTimestamp(ListOffsetsTimestamp.MaxTimestamp, log.HighWatermark));
    }

    [Fact]
    public async Task Retention_by_time_deletes_old_segments_but_never_the_active_one()
    {
        await using var context = LogTestContext.Open(SmallSegments with { RetentionMs = 60_000, FileDeleteDelayMs = 0 });
        var log = context.CreateLog();
        long now = context.Time.NowMs;
        for (int i = 0; i < 30; i++)
        {
            // The first 20 batches are two hours old, the rest recent.
            log.Append(TestBatches.Create(2, baseTimestamp: i < 20 ? now - 7_200_000 : now, valueSize: 200), 0);
        }
        var before = log.Segments.Snapshot;
        var firstRecent = before.First(s => s.MaxTimestampSoFar.Timestamp >= now);

        int deleted = log.DeleteOldSegments();

        Assert.Equal(Array.IndexOf(before, firstRecent), deleted);
        Assert.Equal(firstRecent.BaseOffset, log.LogStartOffset);
        Assert.False(File.Exists(before[0].LogPath));
        Assert.False(File.Exists(before[0].LogPath + ".deleted"));

        context.Time.Advance(TimeSpan.FromHours(1));
        log.DeleteOldSegments();
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.Segments.Active.BaseOffset, log.LogStartOffset);
        Assert.Equal(60, log.LogEndOffset);
    }

    [Fact]
    public async Task Retention_by_size_keeps_the_log_under_retention_bytes()
    {
        await using var context = LogTestContext.Open(SmallSegments with { RetentionBytes = 10_000, FileDeleteDelayMs = 0 });
        var log = context.CreateLog();
        for (int i = 0; i < 80; i++)
        {
            log.Append(TestBatches.Create(2, valueSize: 200), 0);
        }
        long sizeBefore = log.SizeInBytes;

        int deleted = log.DeleteOldSegments();

        Assert.True(deleted > 0);
        Assert.True(log.SizeInBytes <= 10_000, $"{log.SizeInBytes} bytes left");
        Assert.True(log.SizeInBytes + log.Segments.Snapshot[0].Size > 10_000 || log.SegmentCount == 1);
        Assert.True(sizeBefore > log.SizeInBytes);
        Assert.Equal(log.Segments.Snapshot[0].BaseOffset, log.LogStartOffset);
    }

    [Fact]
    public async Task Deleted_segment_files_stay_readable_until_the_delete_delay_passes()
    {
        await using var context = LogTestContext.Open(SmallSegments with { RetentionBytes = 0, FileDeleteDelayMs = 3_600_000 });
        var log = context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Create(2, valueSize: 200), 0);
        }
        var slice = (FileRecords)log.Read(0, 1000, log.HighWatermark, true).Records;
        var oldest = log.Segments.Snapshot[0];

        log.DeleteOldSegments();

        Assert.Equal(1, log.SegmentCount);
        Assert.True(File.Exists(oldest.LogPath));
        Assert.EndsWith(".log.deleted", oldest.LogPath);
        Assert.Equal(0, TestBatches.Parse(TestBatches.ToArray(slice))[0].BaseOffset);
    }

    [Fact]
    public async Task AdvanceLogStartOffset_moves_the_low_watermark_but_not_past_the_high_watermark()
    {
        await using var context = LogTestContext.Open(SmallSegments with { FileDeleteDelayMs = 0, RetentionMs = -1 });
        var log = context.CreateLog();
        for (int i = 0; i < 40; i++)
        {
            log.Append(TestBatches.Create(2, valueSize: 200), 0);
        }
        int segments = log.SegmentCount;

        Assert.False(log.TryAdvanceLogStartOffset(81, out long unchanged));
        Assert.Equal(0, unchanged);
        Assert.True(log.TryAdvanceLogStartOffset(41, out long lowWatermark));

        Assert.Equal(41, lowWatermark);
        Assert.True(log.SegmentCount < segments);
        Assert.True(log.Segments.Snapshot[0].BaseOffset <= 41);
        Assert.True(log.TryAdvanceLogStartOffset(10, out lowWatermark));
        Assert.Equal(41, lowWatermark);
        var first = TestBatches.Parse(TestBatches.ToArray(log.Read(41, 100, log.HighWatermark, true).Records))[0];
        Assert.Equal(40, first.BaseOffset);
    }

    [Fact]
    public async Task Concurrent_reads_during_appends_see_only_whole_published_batches()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { SegmentBytes = 64 * 1024, IndexIntervalBytes = 512 });
        var log = context.CreateLog();
        const int Appends = 3000;
        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var readers = Enumerable.Range(0, 3).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            long reads = 0;
            while (!done.IsCancellationRequested || reads < 100)
            {
                long end = log.HighWatermark;
                long offset = end == 0 ? 0 : random.NextInt64(end + 1);
                var result = log.Read(offset, random.Next(1, 20_000), end, minOneMessage: true);
                reads++;
                if (result.OffsetOutOfRange)
                {
                    failures.Enqueue($"offset {offset} of {end} out of range");
                    continue;
                }
                try
                {
                    var batches = TestBatches.Parse(TestBatches.ToArray(result.Records));
                    if (offset < end && (batches.Count == 0 || batches[0].BaseOffset > offset || batches[0].LastOffset < offset))
                    {
                        failures.Enqueue($"read at {offset} began with {batches.FirstOrDefault()}");
                    }
                    if (batches.Count > 0 && batches[^1].LastOffset >= end)
                    {
                        failures.Enqueue($"read beyond the high watermark {end}");
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToArray();

        var writer = Task.Run(() =>
        {
            var random = new Random(42);
            for (int i = 0; i < Appends; i++)
            {
                log.Append(TestBatches.Create(1 + random.Next(5), valueSize: random.Next(10, 300)), 0);
            }
            done.Cancel();
        });
        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(failures);
        Assert.True(log.SegmentCount > 3);
    }
}
