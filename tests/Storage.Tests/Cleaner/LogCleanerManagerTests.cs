using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage.Tests.Cleaner;

public class LogCleanerManagerTests
{
    [Fact]
    public async Task Aborting_waits_for_the_pass_in_progress_and_keeps_the_cleaner_and_retention_away()
    {
        await using var context = CleanerTestContext.Open();
        var log = context.CreateLog();
        var partition = CleanerTestContext.Partition;
        var manager = new LogCleanerManager(context.Directory.Path, context.Reports.Add);
        Assert.NotNull(manager.BeginCleaning(log, _ => true, context.Time.NowMs));
        Assert.False(manager.TryBeginRetention(partition));

        var abort = Task.Run(() => manager.AbortAndPauseCleaning(partition));
        while (!IsAborted(manager, partition))
        {
            Thread.Yield();
        }
        Assert.False(abort.IsCompleted);
        manager.DoneCleaning(partition, endOffset: 10, _ => true);
        await abort;

        Assert.Null(manager.Checkpoint(partition)); // an aborted pass records nothing
        Assert.Null(manager.BeginCleaning(log, _ => true, context.Time.NowMs));
        Assert.False(manager.TryBeginRetention(partition));
        Assert.Null(manager.GrabFilthiestCompactedLog([log], _ => true, context.Time.NowMs));
        manager.RemoveLog(partition, _ => false);
        Assert.True(manager.TryBeginRetention(partition));
    }

    [Fact]
    public async Task A_malformed_checkpoint_file_is_reported_and_ignored()
    {
        await using var context = CleanerTestContext.Open();
        File.WriteAllText(Path.Combine(context.Directory.Path, "cleaner-offset-checkpoint"), "7\nbroken");

        var manager = new LogCleanerManager(context.Directory.Path, context.Reports.Add);

        Assert.Null(manager.Checkpoint(CleanerTestContext.Partition));
        Assert.Contains(context.Reports, line => line.Contains("cleaned from their start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_whose_batch_cannot_be_read_is_reported_and_skipped_by_the_background_round()
    {
        await using var context = CleanerTestContext.Open();
        context.CreateLog();
        var batch = KeyedBatches.Create(CompressionType.Gzip, context.Time.NowMs, ("a", "1"), ("b", "2"));
        batch[^6] ^= 0xff; // damage the gzip trailer, then make the CRC match again
        RecordBatchHeader.SetCrc(batch, RecordBatchHeader.ComputeCrc(batch));
        context.Log.Append(batch, leaderEpoch: 0);
        context.RollWith("c", "3");

        Assert.True(context.Manager.Cleaner.CleanFilthiestLog());

        Assert.True(context.Manager.Cleaner.IsUncleanable(CleanerTestContext.Partition));
        Assert.Contains(context.Reports, line => line.Contains("not cleaned again until restart", StringComparison.Ordinal));
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog());
        Assert.Throws<InvalidDataException>(() => context.Manager.Cleaner.Clean(CleanerTestContext.Partition));
        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.cleaned"));
    }

    [Fact]
    public async Task A_pass_that_cannot_map_one_batch_marks_the_log_uncleanable()
    {
        // Two slots: one key per pass, and the first batch has two.
        await using var context = CleanerTestContext.Open(configure: c => c with { CleanerDedupeBufferSize = 2 * OffsetMap.BytesPerEntry });
        context.CreateLog();
        context.Append(("a", "1"), ("b", "1"));
        context.RollWith("a", "2");

        Assert.True(context.Manager.Cleaner.CleanFilthiestLog());

        Assert.True(context.Manager.Cleaner.IsUncleanable(CleanerTestContext.Partition));
        Assert.Contains(context.Reports, line => line.Contains("made no progress", StringComparison.Ordinal));
        Assert.False(context.Manager.Cleaner.CleanFilthiestLog());
    }

    [Fact]
    public void Compaction_topic_configs_reach_the_log_config()
    {
        var overrides = new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact,delete",
            ["delete.retention.ms"] = "5000",
            ["min.cleanable.dirty.ratio"] = "0.25",
            ["min.compaction.lag.ms"] = "7000",
            ["max.compaction.lag.ms"] = "9000",
        };

        Assert.True(LogConfig.TryCreate(overrides, LogConfig.Default, out var config, out _));

        Assert.Equal((CleanupPolicy.Compact | CleanupPolicy.Delete, 5000L, 0.25, 7000L, 9000L),
            (config.CleanupPolicy, config.DeleteRetentionMs, config.MinCleanableDirtyRatio, config.MinCompactionLagMs, config.MaxCompactionLagMs));
        Assert.Equal(9000, config.MaxSegmentMs);
        Assert.Equal((86_400_000L, 0.5, 0L, long.MaxValue),
            (LogConfig.Default.DeleteRetentionMs, LogConfig.Default.MinCleanableDirtyRatio, LogConfig.Default.MinCompactionLagMs, LogConfig.Default.MaxCompactionLagMs));
    }

    private static bool IsAborted(LogCleanerManager manager, TopicPartition partition)
    {
        try
        {
            manager.CheckCleaningAborted(partition);
            return false;
        }
        catch (LogCleaningAbortedException)
        {
            return true;
        }
    }
}
