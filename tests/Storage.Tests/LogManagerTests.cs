using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage.Tests;

public class LogManagerTests
{
    [Fact]
    public async Task Creating_a_log_writes_the_partition_directory_and_its_topic_id()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog("orders", 3);

        string directory = context.PartitionDirectory("orders", 3);
        Assert.Equal(directory, log.Directory);
        Assert.Equal($"version: 0\ntopic_id: {LogTestContext.TopicId}\n", File.ReadAllText(Path.Combine(directory, "partition.metadata")));
        Assert.True(File.Exists(Path.Combine(directory, "00000000000000000000.log")));
        Assert.Equal(10 * 1024 * 1024, new FileInfo(Path.Combine(directory, "00000000000000000000.index")).Length);
        Assert.Same(log, context.Manager.GetOrCreateLog(new TopicPartition("orders", 3), LogTestContext.TopicId, LogConfig.Default));
        Assert.Throws<InvalidOperationException>(() =>
            context.Manager.GetOrCreateLog(new TopicPartition("orders", 3), KafkaUuid.NewRandom(), LogConfig.Default));
        Assert.Throws<ArgumentException>(() => context.Manager.GetOrCreateLog(new TopicPartition("../evil", 0), KafkaUuid.NewRandom(), LogConfig.Default));
    }

    [Fact]
    public async Task Shutdown_writes_kafka_format_checkpoints_and_the_clean_shutdown_marker()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { RetentionMs = -1 });
        var orders = context.CreateLog("orders", 0);
        var payments = context.CreateLog("pay.ments-v2", 1);
        orders.Append(TestBatches.Create(5), 0);
        payments.Append(TestBatches.Create(2), 0);
        payments.TryAdvanceLogStartOffset(1, out _);

        await context.Manager.DisposeAsync();

        string root = context.Directory.Path;
        Assert.Equal(["0", "2", "orders 0 5", "pay.ments-v2 1 2"],
            File.ReadAllLines(Path.Combine(root, "recovery-point-offset-checkpoint")).Take(2)
                .Concat(File.ReadAllLines(Path.Combine(root, "recovery-point-offset-checkpoint")).Skip(2).Order()));
        Assert.Contains("pay.ments-v2 1 1", File.ReadAllLines(Path.Combine(root, "log-start-offset-checkpoint")));
        Assert.True(File.Exists(Path.Combine(root, ".kafka_cleanshutdown")));
        Assert.Empty(Directory.GetFiles(root, "*.tmp"));
    }

    [Fact]
    public async Task Reopen_finds_every_partition_with_its_topic_config()
    {
        await using var context = LogTestContext.Open();
        context.CreateLog("a", 0).Append(TestBatches.Create(3), 0);
        context.CreateLog("a", 1);
        context.CreateLog("b-with-dashes", 12).Append(TestBatches.Create(1), 0);
        await context.Manager.DisposeAsync();
        var special = LogConfig.Default with { RetentionMs = 1234 };

        await using var reopened = LogManager.Open(new LogManagerConfig(context.Directory.Path),
            new Dictionary<string, LogConfig> { ["b-with-dashes"] = special }, context.Time, context.Reports.Add);

        Assert.Equal(["a-0", "a-1", "b-with-dashes-12"], reopened.Logs.Select(l => l.TopicPartition.ToString()).Order());
        Assert.Equal(3, reopened.GetLog(new TopicPartition("a", 0))!.LogEndOffset);
        Assert.Same(special, reopened.GetLog(new TopicPartition("b-with-dashes", 12))!.Config);
        Assert.Same(LogConfig.Default, reopened.GetLog(new TopicPartition("a", 1))!.Config);
        var changed = special with { RetentionMs = 99 };
        reopened.UpdateTopicConfig("b-with-dashes", changed);
        Assert.Same(changed, reopened.GetLog(new TopicPartition("b-with-dashes", 12))!.Config);
    }

    [Fact]
    public async Task A_data_directory_is_used_by_one_manager_at_a_time()
    {
        await using var context = LogTestContext.Open();

        Assert.Throws<IOException>(() => LogManager.Open(new LogManagerConfig(context.Directory.Path), new Dictionary<string, LogConfig>()));
    }

    [Fact]
    public async Task Deleting_a_log_renames_its_directory_and_removes_it_after_the_delay()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { FileDeleteDelayMs = 0 });
        var log = context.CreateLog();
        log.Append(TestBatches.Create(3), 0);

        Assert.True(context.Manager.DeleteLog(new TopicPartition("orders", 0)));

        Assert.False(context.Manager.DeleteLog(new TopicPartition("orders", 0)));
        Assert.Null(context.Manager.GetLog(new TopicPartition("orders", 0)));
        Assert.Empty(Directory.GetDirectories(context.Directory.Path));
        Assert.Equal(LogAppendError.LogClosed, log.Append(TestBatches.Create(1), 0).Error);
        var recreated = context.CreateLog();
        Assert.Equal(0, recreated.LogEndOffset);
    }

    [Fact]
    public async Task A_deleted_log_stays_readable_until_the_delete_delay_passes()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { FileDeleteDelayMs = 3_600_000 });
        var log = context.CreateLog();
        log.Append(TestBatches.Create(3), 0);

        context.Manager.DeleteLog(new TopicPartition("orders", 0));

        string deleted = Assert.Single(Directory.GetDirectories(context.Directory.Path));
        Assert.Matches(@"orders-0\.[0-9a-f]{32}-delete$", deleted);
        Assert.Equal(3, TestBatches.Parse(TestBatches.ToArray(log.Read(0, 1000, 3, true).Records))[0].LastOffset + 1);
        await context.ReopenAsync(); // shutdown runs the pending deletion
        Assert.Empty(Directory.GetDirectories(context.Directory.Path));
    }

    [Fact]
    public async Task Retention_runs_over_every_log()
    {
        await using var context = LogTestContext.Open(LogConfig.Default with { SegmentBytes = 2048, RetentionBytes = 0, FileDeleteDelayMs = 0 });
        var first = context.CreateLog("a", 0);
        var second = context.CreateLog("b", 0);
        for (int i = 0; i < 20; i++)
        {
            first.Append(TestBatches.Create(1, valueSize: 300), 0);
            second.Append(TestBatches.Create(1, valueSize: 300), 0);
        }

        int deleted = context.Manager.CleanupLogs();

        Assert.Equal((1, 1), (first.SegmentCount, second.SegmentCount));
        Assert.True(deleted >= 6);
    }

    [Fact]
    public async Task Durable_mode_holds_the_high_watermark_until_the_data_is_fsynced()
    {
        await using var context = LogTestContext.Open(durable: true);
        var log = context.CreateLog();

        var info = log.Append(TestBatches.Create(4), 0);
        var durable = log.WaitForHighWatermarkAsync(info.LastOffset + 1, CancellationToken.None);
        // Nothing is readable before the flusher has fsynced it.
        Assert.True(log.HighWatermark <= log.RecoveryPoint);
        await durable.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, log.HighWatermark);
        Assert.Equal(4, log.RecoveryPoint);
        Assert.Equal(4, TestBatches.Parse(TestBatches.ToArray(log.Read(0, 1000, log.HighWatermark, true).Records))[0].LastOffset + 1);
    }

    [Fact]
    public async Task Flush_advances_the_recovery_point_to_the_log_end_offset()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        log.Append(TestBatches.Create(4), 0);
        Assert.Equal(0, log.RecoveryPoint);

        log.Flush();

        Assert.Equal(4, log.RecoveryPoint);
        Assert.Equal(4, log.HighWatermark);
        await log.WaitForHighWatermarkAsync(4, CancellationToken.None);
    }
}
