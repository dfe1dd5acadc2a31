using System.Text;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage.Tests.Cleaner;

public class LogCleanerTests
{
    [Fact]
    public async Task Cleaning_keeps_only_the_latest_record_of_each_key_across_segments()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int round = 0; round < 8; round++)
        {
            for (int key = 0; key < 5; key++)
            {
                context.Append(($"key{key}", $"value{round}-{key}"));
            }
        }
        context.RollWith("key0", "last");
        Assert.True(context.Log.SegmentCount >= 4, $"expected several segments, got {context.Log.SegmentCount}");
        long activeBase = context.Log.Segments.Active.BaseOffset;

        var stats = context.Clean();

        var expected = context.ExpectedAfterCleaning(activeBase);
        Assert.Equal(expected, KeyedBatches.ReadAll(context.Log));
        Assert.Equal((0L, activeBase, activeBase), (stats.FirstDirtyOffset, stats.FirstUncleanableOffset, stats.EndOffset));
        Assert.Equal(activeBase, context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));
        Assert.Equal(context.Appended.Count(r => r.Offset < activeBase), stats.RecordsRead);
        Assert.Equal(expected.Count(r => r.Offset < activeBase), stats.RecordsRetained);
        // Offsets are kept: each single-record batch keeps its base offset, later ones follow in order.
        var latest = expected.Where(r => r.Offset < activeBase).ToList();
        Assert.Equal(["key1", "key2", "key3", "key4", "key0"], latest.Select(r => r.Key));
        Assert.Equal(["value7-1", "value7-2", "value7-3", "value7-4", "last"], latest.Select(r => r.Value));
        Assert.Equal(context.Log.LogEndOffset, context.Appended[^1].Offset + 1);
        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.swap"));
    }

    [Fact]
    public async Task The_active_segment_is_never_cleaned()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            context.Append(("a", $"old{i}"));
        }
        context.RollWith("b", "x");
        context.Append(("a", "in-active-1"));
        context.Append(("a", "in-active-2"));
        var active = context.Log.Segments.Active;
        byte[] activeBytes = File.ReadAllBytes(active.LogPath);

        context.Clean();

        Assert.Same(active, context.Log.Segments.Active);
        Assert.Equal(activeBytes, File.ReadAllBytes(active.LogPath));
        var records = KeyedBatches.ReadAll(context.Log);
        // The active segment's duplicates stay, and the closed section keeps its own latest "a":
        // the offset map covers only the dirty section, never the active segment.
        Assert.Equal(["old19", "in-active-1", "in-active-2"], records.Where(r => r.Key == "a").Select(r => r.Value));
        Assert.Equal(context.ExpectedAfterCleaning(active.BaseOffset), records);
    }

    [Fact]
    public async Task Tombstones_get_a_delete_horizon_and_are_removed_after_delete_retention_ms()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { DeleteRetentionMs = 10_000 });
        context.CreateLog();
        context.Append(("a", "1"));
        context.Append(("b", "1"));
        long appendedAt = context.Time.NowMs;
        context.Time.Advance(TimeSpan.FromSeconds(1));
        var tombstone = context.Append(("a", null));
        context.RollWith("c", "1");
        long activeBase = context.Log.Segments.Active.BaseOffset;
        long cleanedAt = context.Time.NowMs;

        context.Clean();

        var records = KeyedBatches.ReadAll(context.Log);
        Assert.Equal(context.ExpectedAfterCleaning(activeBase), records);
        Assert.Contains(new StoredRecord(tombstone.FirstOffset, "a", null, appendedAt + 1000), records);
        var tombstoneBatch = KeyedBatches.ReadBatches(context.Log).Single(b => RecordBatchHeader.BaseOffset(b) == tombstone.FirstOffset);
        Assert.NotEqual(0, RecordBatchHeader.Attributes(tombstoneBatch) & RecordBatchHeader.DeleteHorizonFlag);
        Assert.Equal(cleanedAt + 10_000, RecordBatchHeader.BaseTimestamp(tombstoneBatch));
        Assert.Equal(appendedAt + 1000, RecordBatchHeader.MaxTimestamp(tombstoneBatch));

        context.Time.Advance(TimeSpan.FromMilliseconds(9_999));
        var beforeHorizon = context.Clean();
        Assert.Equal(0, beforeHorizon.TombstonesRemoved);
        Assert.Contains(KeyedBatches.ReadAll(context.Log), r => r.Key == "a");
        Assert.Equal(tombstoneBatch, KeyedBatches.ReadBatches(context.Log).Single(b => RecordBatchHeader.BaseOffset(b) == tombstone.FirstOffset));

        context.Time.Advance(TimeSpan.FromMilliseconds(1));
        var atHorizon = context.Clean();

        Assert.Equal(1, atHorizon.TombstonesRemoved);
        Assert.Equal(context.ExpectedAfterCleaning(activeBase, keepTombstones: false), KeyedBatches.ReadAll(context.Log));
        Assert.DoesNotContain(KeyedBatches.ReadAll(context.Log), r => r.Key == "a");
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Compressed_batches_are_filtered_and_recompressed_with_their_codec(CompressionType compression)
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        using (var builder = new RecordBatchBuilder(compression) { ProducerId = 42, ProducerEpoch = 3, BaseSequence = 7 })
        {
            long t = context.Time.NowMs;
            builder.Append(t, "a"u8.ToArray(), "a1"u8.ToArray());
            builder.Append(t + 5, "b"u8.ToArray(), "b1"u8.ToArray());
            builder.Append(t + 9, "c"u8.ToArray(), "c1"u8.ToArray(),
                [new KeyValuePair<string, byte[]?>("trace", "x"u8.ToArray()), new("empty", null)]);
            builder.Append(t + 12, "d"u8.ToArray(), "d1"u8.ToArray());
            context.Append(builder.Build());
        }
        var untouched = KeyedBatches.Create(compression, context.Time.NowMs + 20, ("a", "a2"), ("e", "e1"));
        context.Append(untouched);
        context.Append(compression, ("d", "d2"));
        context.RollWith("z", "z");

        context.Clean();

        var batches = KeyedBatches.ReadBatches(context.Log);
        var rebuilt = batches[0];
        Assert.Equal(compression, RecordBatchHeader.Compression(rebuilt));
        Assert.Equal((0L, 3L), (RecordBatchHeader.BaseOffset(rebuilt), RecordBatchHeader.LastOffset(rebuilt)));
        Assert.Equal((42L, (short)3, 7), (RecordBatchHeader.ProducerId(rebuilt), RecordBatchHeader.ProducerEpoch(rebuilt), RecordBatchHeader.BaseSequence(rebuilt)));
        Assert.Equal(2, RecordBatchHeader.RecordCount(rebuilt));
        long t0 = context.Appended[0].Timestamp;
        Assert.Equal([new StoredRecord(1, "b", "b1", t0 + 5), new StoredRecord(2, "c", "c1", t0 + 9)], KeyedBatches.Records(rebuilt));
        Assert.Equal((t0 + 5, t0 + 9), (RecordBatchHeader.BaseTimestamp(rebuilt), RecordBatchHeader.MaxTimestamp(rebuilt)));
        Assert.Equal(["trace", "empty"], RecordHeaders(rebuilt, 1));
        // A batch that keeps every record is copied as it was.
        Assert.Equal(untouched, batches[1]);
        Assert.Equal(context.ExpectedAfterCleaning(context.Log.Segments.Active.BaseOffset), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task LogAppendTime_batches_keep_their_append_time()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { MessageTimestampType = TimestampType.LogAppendTime });
        context.CreateLog();
        context.Append(("a", "1"), ("b", "1"));
        long appendTime = context.Time.NowMs;
        context.Time.Advance(TimeSpan.FromSeconds(5));
        context.Append(("a", "2"));
        context.RollWith("z", "z");

        context.Clean();

        var rebuilt = KeyedBatches.ReadBatches(context.Log)[0];
        Assert.Equal(1, RecordBatchHeader.RecordCount(rebuilt));
        Assert.NotEqual(0, RecordBatchHeader.Attributes(rebuilt) & RecordBatchHeader.TimestampTypeMask);
        Assert.Equal(appendTime, RecordBatchHeader.MaxTimestamp(rebuilt));
    }

    [Fact]
    public async Task A_batch_left_empty_at_the_end_of_the_cleanable_section_stays_as_a_header()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        context.Append(("a", "1"));
        // Batches of keyless records up to the roll: the cleaner drops all of them, and the last one
        // before the active segment stays as an empty batch so its offsets stay covered.
        int segments = context.Log.SegmentCount;
        int keyless = 0;
        while (context.Log.Append(TestBatches.Create(2), leaderEpoch: 0).Error == LogAppendError.None && context.Log.SegmentCount == segments)
        {
            keyless++;
        }
        Assert.True(keyless > 1);
        long activeBase = context.Log.Segments.Active.BaseOffset;

        var stats = context.Clean();

        Assert.Equal(2L * keyless, stats.RecordsWithoutKey);
        var cleanedBatches = KeyedBatches.ReadBatches(context.Log).Where(b => RecordBatchHeader.LastOffset(b) < activeBase).ToList();
        Assert.Equal(2, cleanedBatches.Count);
        var empty = cleanedBatches[1];
        Assert.Equal((activeBase - 2, activeBase - 1, 0), (RecordBatchHeader.BaseOffset(empty), RecordBatchHeader.LastOffset(empty), RecordBatchHeader.RecordCount(empty)));
        Assert.Equal((RecordBatchHeader.Size, -1L), (empty.Length, RecordBatchHeader.BaseTimestamp(empty)));
        Assert.Equal([new StoredRecord(0, "a", "1", context.Time.NowMs)], KeyedBatches.ReadAll(context.Log).Where(r => r.Offset < activeBase));
    }

    [Fact]
    public async Task The_newest_batch_of_an_idempotent_producer_stays_as_an_empty_batch()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int sequence = 0; sequence < 2; sequence++)
        {
            using var builder = new RecordBatchBuilder { ProducerId = 7, ProducerEpoch = 2, BaseSequence = sequence };
            builder.Append(context.Time.NowMs, "a"u8.ToArray(), Encoding.UTF8.GetBytes($"from producer {sequence}"));
            context.Append(builder.Build());
        }
        context.Append(("a", "plain"));
        context.RollWith("z", "z");

        context.Clean();

        var producerBatches = KeyedBatches.ReadBatches(context.Log).Where(b => RecordBatchHeader.ProducerId(b) == 7).ToList();
        var kept = Assert.Single(producerBatches);
        Assert.Equal((1L, 1L, 0), (RecordBatchHeader.BaseOffset(kept), RecordBatchHeader.LastOffset(kept), RecordBatchHeader.RecordCount(kept)));
        Assert.Equal(((short)2, 1), (RecordBatchHeader.ProducerEpoch(kept), RecordBatchHeader.BaseSequence(kept)));
        Assert.Equal(["plain", "z"], KeyedBatches.ReadAll(context.Log).Where(r => r.Offset < context.Log.Segments.Active.BaseOffset)
            .Select(r => r.Value).Distinct());
    }

    [Fact]
    public async Task Records_without_a_key_are_dropped_as_Kafka_drops_them()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        context.Log.Append(TestBatches.Create(3), leaderEpoch: 0); // null keys, as a delete topic switched to compact may hold
        context.Append(("a", "1"));
        context.RollWith("z", "z");

        var stats = context.Clean();

        Assert.Equal(3, stats.RecordsWithoutKey);
        Assert.DoesNotContain(KeyedBatches.ReadAll(context.Log), r => r.Key is null);
        Assert.Contains(new StoredRecord(3, "a", "1", context.Time.NowMs), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task Small_cleaned_segments_are_grouped_into_one_and_reads_continue_across_the_swap()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int round = 0; round < 12; round++)
        {
            for (int key = 0; key < 3; key++)
            {
                context.Append(($"key{key}", $"value{round}"));
            }
        }
        context.RollWith("key0", "last");
        int segmentsBefore = context.Log.SegmentCount;
        Assert.True(segmentsBefore > 3);

        // Groups are made from the sizes before cleaning: the first pass shrinks each full segment...
        context.Clean();
        Assert.Equal(segmentsBefore, context.Log.SegmentCount);
        var oldSegments = context.Log.Segments.Snapshot;

        // ...and the next pass merges the small ones.
        context.Clean();

        Assert.Equal(2, context.Log.SegmentCount); // one cleaned segment + the active one
        Assert.Equal(context.ExpectedAfterCleaning(context.Log.Segments.Active.BaseOffset), KeyedBatches.ReadAll(context.Log));
        // A reader that found nothing more in an old segment continues in the segment that replaced it, whether
        // the old one was merged into an earlier one or was the first of the group (same base offset): going on
        // after the replacement would skip the offsets of the old segments merged behind it.
        var merged = context.Log.Segments.Snapshot[0];
        Assert.Same(merged, context.Log.Segments.HigherSegment(oldSegments[1]));
        Assert.Same(merged, context.Log.Segments.HigherSegment(oldSegments[0]));
        Assert.Same(context.Log.Segments.Active, context.Log.Segments.HigherSegment(merged));
        Assert.Equal(["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex"],
            Directory.GetFiles(context.PartitionDirectory, "00000000000000000000.*").Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Reads_concurrent_with_cleaning_always_see_a_consistent_log()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int round = 0; round < 40; round++)
        {
            for (int key = 0; key < 10; key++)
            {
                context.Append(($"key{key}", $"{round}"));
            }
        }
        context.RollWith("roll", "0");
        var latest = context.Appended.GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Last().Value);
        using var done = new CancellationTokenSource();
        int scans = 0;

        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested || scans < 3)
            {
                var records = KeyedBatches.ReadAll(context.Log, maxBytes: 700);
                for (int i = 1; i < records.Count; i++)
                {
                    Assert.True(records[i].Offset > records[i - 1].Offset, $"offset {records[i].Offset} after {records[i - 1].Offset}");
                }
                var seen = records.GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Last().Value);
                Assert.Equal(latest, seen);
                // Each key's values only move forward: a scan never mixes a cleaned and an uncleaned copy of the same range.
                foreach (var key in seen.Keys.Where(k => k != "roll"))
                {
                    var rounds = records.Where(r => r.Key == key).Select(r => int.Parse(r.Value!)).ToList();
                    Assert.Equal(rounds.Order(), rounds);
                    Assert.Equal(rounds.Distinct().Count(), rounds.Count);
                }
                Interlocked.Increment(ref scans);
            }
        });
        for (int pass = 0; pass < 20; pass++)
        {
            context.Clean();
        }
        done.Cancel();
        await reader;

        Assert.Equal(context.ExpectedAfterCleaning(context.Log.Segments.Active.BaseOffset), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task The_checkpoint_advances_pass_by_pass_and_survives_a_reopen()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            context.Append(($"key{i % 4}", $"{i}"));
        }
        context.RollWith("key0", "x");
        long firstActive = context.Log.Segments.Active.BaseOffset;

        var first = context.Clean();

        Assert.Equal((0L, firstActive), (first.FirstDirtyOffset, first.EndOffset));
        string checkpointFile = Path.Combine(context.Directory.Path, "cleaner-offset-checkpoint");
        Assert.Equal(["0", "1", $"compacted 0 {firstActive}"], File.ReadAllLines(checkpointFile));

        await context.ReopenAsync();

        Assert.Equal(firstActive, context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));
        var nothingDirty = context.Clean();
        Assert.Equal((firstActive, firstActive, 0L), (nothingDirty.FirstDirtyOffset, nothingDirty.EndOffset, nothingDirty.MapRecordsRead));
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog());

        int before = context.Appended.Count;
        context.RollWith("key1", "y");
        long secondActive = context.Log.Segments.Active.BaseOffset;
        var second = context.Clean();

        Assert.Equal((firstActive, secondActive), (second.FirstDirtyOffset, second.EndOffset));
        Assert.Equal(context.Appended.Skip(before - 1).Count(r => r.Offset >= firstActive && r.Offset < secondActive), second.MapRecordsRead);
        Assert.Equal(["0", "1", $"compacted 0 {secondActive}"], File.ReadAllLines(checkpointFile));
        Assert.Equal(context.ExpectedAfterCleaning(secondActive), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task A_full_offset_map_cleans_up_to_where_it_reached_and_the_next_pass_continues()
    {
        // 4 slots at load factor 0.9: three keys per pass.
        await using var context = CleanerTestContext.Open(configure: c => c with { CleanerDedupeBufferSize = 4 * 24 });
        context.CreateLog();
        foreach (var (key, value) in new[] { ("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("c", "1"), ("c", "2"), ("d", "1"), ("e", "1"), ("a", "3") })
        {
            context.Append((key, value));
        }
        context.RollWith("r", "r");
        long activeBase = context.Log.Segments.Active.BaseOffset;

        var first = context.Clean();

        Assert.Equal(6, first.EndOffset); // a, b, c fit; d did not
        Assert.Equal(["a2", "b2", "c2", "d1", "e1", "a3"],
            KeyedBatches.ReadAll(context.Log).Where(r => r.Key != "r").Select(r => r.Key + r.Value));

        var second = context.Clean();

        Assert.Equal((6L, 9L), (second.FirstDirtyOffset, second.EndOffset)); // d, e, a fit; r did not
        Assert.Equal(["b2", "c2", "d1", "e1", "a3"],
            KeyedBatches.ReadAll(context.Log).Where(r => r.Key != "r").Select(r => r.Key + r.Value));

        var third = context.Clean();

        Assert.Equal((9L, activeBase), (third.FirstDirtyOffset, third.EndOffset));
        Assert.Equal(context.ExpectedAfterCleaning(activeBase), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task Min_compaction_lag_keeps_young_segments_dirty()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { MinCompactionLagMs = 60_000 });
        context.CreateLog();
        for (int i = 0; i < 10; i++)
        {
            context.Append(("a", $"{i}"));
        }
        context.RollWith("b", "b");

        var young = context.Clean();

        Assert.Equal((0L, 0L), (young.FirstUncleanableOffset, young.EndOffset));
        Assert.Equal(context.Appended, KeyedBatches.ReadAll(context.Log));

        context.Time.Advance(TimeSpan.FromMinutes(2));
        var old = context.Clean();

        Assert.Equal(context.Log.Segments.Active.BaseOffset, old.EndOffset);
        Assert.Equal(context.ExpectedAfterCleaning(old.EndOffset), KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task The_background_round_picks_logs_by_dirty_ratio_or_max_compaction_lag()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { MaxCompactionLagMs = 60_000, SegmentMs = long.MaxValue / 2 });
        context.CreateLog();
        for (int i = 0; i < 40; i++)
        {
            context.Append(($"key{i}", $"{i}"));
        }
        context.RollWith("key0", "x");

        Assert.True(context.Manager.Cleaner.CleanFilthiestLog()); // all dirty: ratio 1
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog()); // nothing dirty

        // A little dirty data after a large clean section: below min.cleanable.dirty.ratio (0.5)...
        long checkpoint = context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition)!.Value;
        context.RollWith("key1", "y");
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog());
        Assert.Equal(checkpoint, context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));

        // ...until its records are older than max.compaction.lag.ms.
        context.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(context.Manager.Cleaner.CleanFilthiestLog());
        Assert.Equal(context.Log.Segments.Active.BaseOffset, context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));
    }

    [Fact]
    public async Task Max_compaction_lag_rolls_the_active_segment_of_a_compacted_topic()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { MaxCompactionLagMs = 1_000 });
        context.CreateLog();
        context.Append(("a", "1"));
        context.Time.Advance(TimeSpan.FromSeconds(2));
        context.Append(("a", "2"));

        Assert.Equal(2, context.Log.SegmentCount);
        Assert.Equal(1_000, context.Log.Config.MaxSegmentMs);
        Assert.Equal(LogConfig.Default.SegmentMs, (LogConfig.Default with { MaxCompactionLagMs = 1_000 }).MaxSegmentMs);
    }

    [Fact]
    public async Task With_compact_and_delete_retention_still_deletes_old_segments()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with
        {
            CleanupPolicy = CleanupPolicy.Compact | CleanupPolicy.Delete,
            RetentionMs = 60_000,
        });
        context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            context.Append(($"old{i % 2}", $"{i}"));
        }
        context.RollWith("old0", "x");
        context.Clean();
        context.Time.Advance(TimeSpan.FromMinutes(2));
        for (int i = 0; i < 20; i++)
        {
            context.Append(($"new{i % 2}", $"{i}"));
        }
        context.RollWith("new0", "y");

        Assert.True(context.Manager.CleanupLogs() > 0);
        long logStart = context.Log.LogStartOffset;
        Assert.True(logStart > 0);
        Assert.DoesNotContain(KeyedBatches.ReadAll(context.Log), r => r.Key!.StartsWith("old", StringComparison.Ordinal) && r.Offset < logStart);

        var stats = context.Clean();

        Assert.True(stats.FirstDirtyOffset >= logStart);
        var records = KeyedBatches.ReadAll(context.Log);
        Assert.Equal(context.ExpectedAfterCleaning(context.Log.Segments.Active.BaseOffset).Where(r => r.Offset >= logStart), records);
    }

    [Fact]
    public async Task A_swap_fails_without_changes_when_retention_removed_the_segments_meanwhile()
    {
        await using var context = CleanerTestContext.Open();
        var log = context.CreateLog();
        for (int i = 0; i < 40; i++)
        {
            context.Append(("a", $"{i}"));
        }
        var segments = log.Segments.Snapshot;
        var cleaned = LogSegment.Create(log.Directory, segments[0].BaseOffset, log.Config, context.Time.NowMs, LogSegment.CleanedSuffix);
        Assert.True(log.TryAdvanceLogStartOffset(segments[1].BaseOffset, out _));

        Assert.False(log.ReplaceSegments([segments[0]], cleaned));

        Assert.DoesNotContain(cleaned, log.Segments.Snapshot);
        Assert.EndsWith(".log.cleaned", cleaned.LogPath);
        cleaned.Dispose();
    }

    [Fact]
    public async Task Deleting_a_log_forgets_its_checkpoint()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            context.Append(("a", $"{i}"));
        }
        context.RollWith("b", "b");
        context.Clean();
        Assert.NotNull(context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));

        Assert.True(context.Manager.DeleteLog(CleanerTestContext.Partition));

        Assert.Null(context.Manager.Cleaner.Checkpoint(CleanerTestContext.Partition));
        Assert.Equal(["0", "0"], File.ReadAllLines(Path.Combine(context.Directory.Path, "cleaner-offset-checkpoint")));
        Assert.Null(context.Manager.Cleaner.Clean(CleanerTestContext.Partition));
    }

    [Fact]
    public async Task A_log_that_is_not_compacted_is_not_cleaned()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { CleanupPolicy = CleanupPolicy.Delete });
        context.CreateLog();
        for (int i = 0; i < 20; i++)
        {
            context.Append(("a", $"{i}"));
        }
        context.RollWith("b", "b");

        Assert.Null(context.Manager.Cleaner.Clean(CleanerTestContext.Partition));
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog());
        Assert.Equal(context.Appended, KeyedBatches.ReadAll(context.Log));
    }

    private static List<string> RecordHeaders(byte[] batch, int index)
    {
        Assert.Equal(Protocol.Records.Compression.DecompressionStatus.Done, RecordBatchPayload.Open(batch, 1 << 24, out var payload));
        using (payload)
        {
            int i = 0;
            foreach (var record in payload)
            {
                if (i++ == index)
                {
                    var names = new List<string>();
                    foreach (var header in record.Headers)
                    {
                        names.Add(Encoding.UTF8.GetString(header.Key));
                    }
                    return names;
                }
            }
        }
        throw new InvalidOperationException("no such record");
    }
}
