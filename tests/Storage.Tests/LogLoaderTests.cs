using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Storage.Tests;

public class LogLoaderTests
{
    private static readonly LogConfig SmallSegments = LogConfig.Default with { SegmentBytes = 4096, IndexIntervalBytes = 256, RetentionMs = -1 };

    private static void AppendBatches(PartitionLog log, int count, int records = 2, int valueSize = 200)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(LogAppendError.None, log.Append(TestBatches.Create(records, baseTimestamp: 1_000 + i, valueSize: valueSize), 0).Error);
        }
    }

    private static string SegmentFile(string partitionDirectory, long baseOffset, string suffix) =>
        Path.Combine(partitionDirectory, baseOffset.ToString("D20") + suffix);

    private static List<(long BaseOffset, long LastOffset, int Size)> ReadAll(PartitionLog log)
    {
        var batches = new List<(long, long, int)>();
        long next = log.LogStartOffset;
        while (next < log.HighWatermark)
        {
            var read = TestBatches.Parse(TestBatches.ToArray(log.Read(next, 1 << 20, log.HighWatermark, true).Records));
            batches.AddRange(read);
            next = read[^1].LastOffset + 1;
        }
        return batches;
    }

    private static void FlipByte(string path, long position)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        int value = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(value ^ 0xFF));
    }

    [Fact]
    public async Task Clean_reopen_restores_offsets_segments_and_indexes()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 40);
        var before = ReadAll(log);
        long logEndOffset = log.LogEndOffset;
        int segments = log.SegmentCount;
        var entries = log.Segments.Snapshot.Select(s => (s.OffsetIndex.Entries, s.TimeIndex.Entries)).ToArray();

        await context.Manager.DisposeAsync();
        Assert.True(File.Exists(Path.Combine(context.Directory.Path, ".kafka_cleanshutdown")));
        // Closing trims the preallocated index files to their entries.
        Assert.Equal(entries[^1].Item1 * 8L, new FileInfo(SegmentFile(context.PartitionDirectory(), log.Segments.Active.BaseOffset, ".index")).Length);
        await context.ReopenAsync();

        log = context.Log();
        Assert.True(context.Manager.HadCleanShutdown);
        Assert.Empty(context.Reports);
        Assert.False(File.Exists(Path.Combine(context.Directory.Path, ".kafka_cleanshutdown")));
        Assert.Equal((logEndOffset, logEndOffset, logEndOffset), (log.LogEndOffset, log.HighWatermark, log.RecoveryPoint));
        Assert.Equal(segments, log.SegmentCount);
        Assert.Equal(LogTestContext.TopicId, log.TopicId);
        // The active segment's time index got its final entry at close; the others already had it.
        Assert.Equal(entries[..^1], log.Segments.Snapshot[..^1].Select(s => (s.OffsetIndex.Entries, s.TimeIndex.Entries)));
        Assert.Equal(before, ReadAll(log));
        Assert.Equal(logEndOffset, log.Append(TestBatches.Create(1), 0).FirstOffset);
        Assert.Equal(1_040, log.FetchOffsetByTimestamp(ListOffsetsTimestamp.MaxTimestamp, log.HighWatermark)!.Value.Timestamp);
    }

    [Fact]
    public async Task Clean_reopen_does_not_read_batch_bodies()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        AppendBatches(context.CreateLog(), 40);
        await context.Manager.DisposeAsync();
        FlipByte(SegmentFile(context.PartitionDirectory(), 0, ".log"), 100);

        await context.ReopenAsync();

        // The damage is only found by a reader: a clean start trusts the files.
        Assert.Empty(context.Reports);
        var log = context.Log();
        var first = TestBatches.ToArray(log.Read(0, 1, log.HighWatermark, true).Records);
        Assert.False(RecordBatchHeader.IsCrcValid(first));
    }

    [Fact]
    public async Task Crash_with_a_torn_tail_truncates_to_the_last_whole_batch()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 30);
        var before = ReadAll(log);
        string active = log.Segments.Active.LogPath;
        long activeBase = log.Segments.Active.BaseOffset;

        await context.ReopenAfterCrashAsync(_ =>
        {
            using var file = new FileStream(active, FileMode.Open, FileAccess.Write);
            file.SetLength(file.Length - 30); // the last write only partly reached the disk
        });

        log = context.Log();
        Assert.False(context.Manager.HadCleanShutdown);
        Assert.Contains(context.Reports, line => line.Contains("truncated", StringComparison.Ordinal));
        Assert.Equal(before[..^1], ReadAll(log));
        Assert.Equal(before[^1].BaseOffset, log.LogEndOffset);
        Assert.Equal(log.LogEndOffset, log.RecoveryPoint);
        Assert.Equal(before[..^1].Where(b => b.BaseOffset >= activeBase).Sum(b => b.Size), new FileInfo(active).Length);
        Assert.Equal(before[^1].BaseOffset, log.Append(TestBatches.Create(2), 0).FirstOffset);
    }

    [Fact]
    public async Task Crash_with_a_corrupt_batch_in_the_tail_truncates_before_it()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 30);
        var before = ReadAll(log);
        string active = log.Segments.Active.LogPath;
        long activeBase = log.Segments.Active.BaseOffset;
        var activeBatches = before.Where(b => b.BaseOffset >= activeBase).ToList();
        Assert.True(activeBatches.Count >= 3);
        long secondToLastPosition = activeBatches[..^2].Sum(b => b.Size);

        await context.ReopenAfterCrashAsync(_ => FlipByte(active, secondToLastPosition + 70));

        log = context.Log();
        Assert.Equal(activeBatches[^2].BaseOffset, log.LogEndOffset);
        Assert.Equal(before[..^2], ReadAll(log));
        Assert.Equal(secondToLastPosition, new FileInfo(active).Length);
    }

    [Fact]
    public async Task Crash_recovery_starts_at_the_recovery_point_and_deletes_segments_after_a_truncation()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 40);
        var segments = log.Segments.Snapshot;
        Assert.True(segments.Length >= 4);
        string second = segments[1].LogPath;
        long secondBase = segments[1].BaseOffset;
        string third = segments[2].LogPath;
        var secondBatches = ReadAll(log).Where(b => b.BaseOffset >= secondBase && b.BaseOffset < segments[2].BaseOffset).ToList();

        // Everything is flushed at a clean stop; a recovery point before the second segment makes it and all after it suspect.
        await context.ReopenAfterCrashAsync(_ => FlipByte(second, secondBatches[0].Size + 80), recoveryPoint: secondBase);

        log = context.Log();
        Assert.Equal(2, log.SegmentCount);
        Assert.False(File.Exists(third));
        Assert.Equal(secondBatches[0].LastOffset + 1, log.LogEndOffset);
        Assert.Equal(secondBatches[0].Size, new FileInfo(second).Length);
        Assert.Contains(context.Reports, line => line.Contains("deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Crash_recovery_trusts_segments_below_the_recovery_point()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        AppendBatches(context.CreateLog(), 40);
        long logEndOffset = context.Log().LogEndOffset;

        await context.ReopenAfterCrashAsync(directory => FlipByte(SegmentFile(Path.Combine(directory, "orders-0"), 0, ".log"), 100));

        Assert.Equal(logEndOffset, context.Log().LogEndOffset);
        Assert.Empty(context.Reports);
    }

    [Fact]
    public async Task Missing_index_files_are_rebuilt()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 40);
        var first = log.Segments.Snapshot[0];
        var expected = Enumerable.Range(0, first.OffsetIndex.Entries).Select(first.OffsetIndex.Entry).ToList();
        var expectedTime = Enumerable.Range(0, first.TimeIndex.Entries).Select(first.TimeIndex.Entry).ToList();
        Assert.NotEmpty(expected);
        await context.Manager.DisposeAsync();
        File.Delete(SegmentFile(context.PartitionDirectory(), 0, ".index"));
        File.Delete(SegmentFile(context.PartitionDirectory(), 0, ".timeindex"));

        await context.ReopenAsync();

        var rebuilt = context.Log().Segments.Snapshot[0];
        Assert.Contains(context.Reports, line => line.Contains("rebuilt", StringComparison.Ordinal));
        Assert.Equal(expected, Enumerable.Range(0, rebuilt.OffsetIndex.Entries).Select(rebuilt.OffsetIndex.Entry));
        Assert.Equal(expectedTime, Enumerable.Range(0, rebuilt.TimeIndex.Entries).Select(rebuilt.TimeIndex.Entry));
        Assert.Equal(expected.Count * 8L, new FileInfo(SegmentFile(context.PartitionDirectory(), 0, ".index")).Length);
    }

    [Theory]
    [InlineData("odd length")]
    [InlineData("not increasing")]
    [InlineData("beyond the log")]
    [InlineData("preallocated zeros")]
    public async Task Damaged_index_files_are_rebuilt(string damage)
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 40);
        var first = log.Segments.Snapshot[0];
        var expected = Enumerable.Range(0, first.OffsetIndex.Entries).Select(first.OffsetIndex.Entry).ToList();
        Assert.True(expected.Count >= 2);
        await context.Manager.DisposeAsync();
        string index = SegmentFile(context.PartitionDirectory(), 0, ".index");
        using (var file = new FileStream(index, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case "odd length":
                    file.SetLength(file.Length - 3);
                    break;
                case "not increasing":
                    file.Position = 8;
                    file.Write([0, 0, 0, 0, 0, 0, 0, 0]);
                    break;
                case "beyond the log":
                    file.Position = file.Length - 4;
                    file.Write([0x7F, 0, 0, 0]);
                    break;
                case "preallocated zeros":
                    file.SetLength(10 * 1024 * 1024);
                    break;
            }
        }

        await context.ReopenAsync();

        var rebuilt = context.Log().Segments.Snapshot[0];
        Assert.Contains(context.Reports, line => line.Contains("rebuilt", StringComparison.Ordinal));
        Assert.Equal(expected, Enumerable.Range(0, rebuilt.OffsetIndex.Entries).Select(rebuilt.OffsetIndex.Entry));
        Assert.Equal(40, ReadAll(context.Log()).Count);
    }

    [Fact]
    public async Task Leftovers_of_interrupted_operations_are_removed_at_startup()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        AppendBatches(context.CreateLog(), 5);
        await context.Manager.DisposeAsync();
        string directory = context.PartitionDirectory();
        File.WriteAllText(SegmentFile(directory, 500, ".log.deleted"), "old");
        File.WriteAllText(SegmentFile(directory, 900, ".index"), "orphan");
        File.WriteAllText(Path.Combine(directory, "partition.metadata.tmp"), "half");
        Directory.CreateDirectory(Path.Combine(context.Directory.Path, "gone-0.0123456789abcdef0123456789abcdef-delete"));

        await context.ReopenAsync();

        // The .snapshot is the producer state written at the clean shutdown (ProducerStateManager).
        Assert.Equal(["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex",
            "00000000000000000010.snapshot", "partition.metadata"],
            Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        Assert.False(Directory.Exists(Path.Combine(context.Directory.Path, "gone-0.0123456789abcdef0123456789abcdef-delete")));
        Assert.Null(context.Manager.GetLog(new TopicPartition("gone", 0)));
    }

    [Fact]
    public async Task Log_start_offset_survives_a_restart()
    {
        await using var context = LogTestContext.Open(SmallSegments);
        var log = context.CreateLog();
        AppendBatches(log, 40);
        Assert.True(log.TryAdvanceLogStartOffset(33, out _));

        await context.ReopenAfterCrashAsync();

        Assert.Equal(33, context.Log().LogStartOffset);
        Assert.True(context.Log().Read(32, 100, context.Log().HighWatermark, true).OffsetOutOfRange);
    }
}
