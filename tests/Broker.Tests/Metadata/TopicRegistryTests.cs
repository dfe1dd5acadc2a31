using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class TopicRegistryTests
{
    [Fact]
    public async Task CreateTopicRegistersItByNameAndIdAndCreatesEveryPartitionLog()
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic("orders", 3, 1) { Configs = [new("retention.ms", "3600000")] }, validateOnly: false);

        Assert.True(creation.Error.IsSuccess);
        var topic = creation.Topic!;
        Assert.Equal("orders", topic.Name);
        Assert.Equal(3, topic.PartitionCount);
        Assert.False(topic.TopicId.IsZero);
        Assert.False(topic.IsInternal);
        Assert.Equal(3_600_000L, topic.Config.RetentionMs);
        Assert.Equal("3600000", topic.Overrides["retention.ms"]);
        Assert.True(context.Topics.TryGetTopic("orders", out var byName));
        Assert.Same(topic, byName);
        Assert.True(context.Topics.TryGetTopic(topic.TopicId, out var byId));
        Assert.Same(topic, byId);
        for (var partition = 0; partition < 3; partition++)
        {
            var log = context.Topics.Logs.GetLog(new TopicPartition("orders", partition));
            Assert.NotNull(log);
            Assert.Equal(topic.TopicId, log.TopicId);
            Assert.Equal(3_600_000L, log.Config.RetentionMs);
        }
        Assert.Null(context.Topics.Logs.GetLog(new TopicPartition("orders", 3)));
    }

    [Fact]
    public async Task MinusOneMeansTheBrokerDefaults()
    {
        await using var context = new MetadataTestContext(("num.partitions", "4"));
        var creation = context.Topics.CreateTopic(new NewTopic("defaults"), validateOnly: false);

        Assert.True(creation.Error.IsSuccess);
        Assert.Equal(4, creation.Topic!.PartitionCount);
    }

    [Theory]
    [InlineData("", ErrorCode.InvalidTopicException, "Topic name is invalid: the empty string is not allowed")]
    [InlineData("..", ErrorCode.InvalidTopicException, "Topic name is invalid: '..' is not allowed")]
    [InlineData("a b", ErrorCode.InvalidTopicException, "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")]
    [InlineData("__cluster_metadata", ErrorCode.InvalidRequest, "Creation of internal topic __cluster_metadata is prohibited.")]
    public async Task IllegalNamesAreRefused(string name, ErrorCode code, string message)
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic(name, 1, 1), validateOnly: false);

        Assert.Equal(new ApiError(code, message), creation.Error);
        Assert.Null(creation.Topic);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task AnExistingTopicCannotBeCreatedAgain()
    {
        await using var context = new MetadataTestContext();
        var first = context.CreateTopic("twice", 2);

        var creation = context.Topics.CreateTopic(new NewTopic("twice", 5, 1), validateOnly: false);

        Assert.Equal(new ApiError(ErrorCode.TopicAlreadyExists, "Topic 'twice' already exists."), creation.Error);
        Assert.True(context.Topics.TryGetTopic("twice", out var topic));
        Assert.Same(first, topic);
    }

    [Theory]
    [InlineData(0, 1, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")]
    [InlineData(-2, 1, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")]
    [InlineData(1, 0, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")]
    [InlineData(1, -2, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")]
    [InlineData(1, 3, ErrorCode.InvalidReplicationFactor,
        "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.")]
    public async Task PartitionCountAndReplicationFactorAreChecked(int partitions, short replicationFactor, ErrorCode code, string message)
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic("counts", partitions, replicationFactor), validateOnly: false);

        Assert.Equal(new ApiError(code, message), creation.Error);
        Assert.False(context.Topics.TryGetTopic("counts", out _));
    }

    [Fact]
    public async Task ADefaultReplicationFactorAboveOneCannotBeMet()
    {
        await using var context = new MetadataTestContext(("default.replication.factor", "3"));
        var creation = context.Topics.CreateTopic(new NewTopic("replicated"), validateOnly: false);

        Assert.Equal(ErrorCode.InvalidReplicationFactor, creation.Error.Code);
    }

    [Theory]
    [InlineData("retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG")]
    [InlineData("no.such.config", "1", "Unknown topic config name: no.such.config")]
    [InlineData("cleanup.policy", "shred", "Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete")]
    public async Task InvalidConfigsAreRefusedWithKafkasMessage(string name, string value, string message)
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic("configured", 1, 1) { Configs = [new(name, value)] }, validateOnly: false);

        Assert.Equal(new ApiError(ErrorCode.InvalidConfig, message), creation.Error);
    }

    [Fact]
    public async Task NullConfigValuesAreRefused()
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(
            new NewTopic("nulls", 1, 1) { Configs = [new("retention.ms", null), new("segment.ms", null)] }, validateOnly: false);

        Assert.Equal(new ApiError(ErrorCode.InvalidConfig, "Null value not supported for topic configs: retention.ms,segment.ms"), creation.Error);
    }

    [Fact]
    public async Task ConfigValuesAreKeptInCanonicalForm()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("canonical", 1, ("cleanup.policy", "Compact, DELETE"), ("retention.ms", " 5000 "));

        Assert.Equal("compact,delete", topic.Overrides["cleanup.policy"]);
        Assert.Equal("5000", topic.Overrides["retention.ms"]);
        Assert.Equal(CleanupPolicy.Compact | CleanupPolicy.Delete, topic.Config.CleanupPolicy);
    }

    [Fact]
    public async Task ManualAssignmentsNamingThisBrokerSetThePartitionCount()
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic("assigned")
        {
            Assignments = [new ReplicaAssignment(1, [1]), new ReplicaAssignment(0, [1])],
        }, validateOnly: false);

        Assert.True(creation.Error.IsSuccess);
        Assert.Equal(2, creation.Topic!.PartitionCount);
    }

    public static TheoryData<NewTopic, ApiError> BadAssignments => new()
    {
        {
            new NewTopic("t", -1, 1) { Assignments = [new ReplicaAssignment(0, [1])] },
            new ApiError(ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.")
        },
        {
            new NewTopic("t", 1) { Assignments = [new ReplicaAssignment(0, [1])] },
            new ApiError(ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.")
        },
        {
            new NewTopic("t") { Assignments = [new ReplicaAssignment(0, [2])] },
            new ApiError(ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes broker 2, but no such broker is registered.")
        },
        {
            new NewTopic("t") { Assignments = [new ReplicaAssignment(0, [1, 1])] },
            new ApiError(ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes the broker 1 more than once.")
        },
        {
            new NewTopic("t") { Assignments = [new ReplicaAssignment(0, [])] },
            new ApiError(ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
        },
        {
            new NewTopic("t") { Assignments = [new ReplicaAssignment(0, [1]), new ReplicaAssignment(0, [1])] },
            new ApiError(ErrorCode.InvalidReplicaAssignment, "Found multiple manual partition assignments for partition 0")
        },
        {
            new NewTopic("t") { Assignments = [new ReplicaAssignment(0, [1]), new ReplicaAssignment(2, [1])] },
            new ApiError(ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence")
        },
    };

    [Theory]
    [MemberData(nameof(BadAssignments))]
    public async Task ManualAssignmentsInconsistentWithOneBrokerAreRefused(NewTopic newTopic, ApiError expected)
    {
        await using var context = new MetadataTestContext();
        Assert.Equal(expected, context.Topics.CreateTopic(newTopic, validateOnly: false).Error);
    }

    [Fact]
    public async Task ValidateOnlyReturnsTheTopicWithoutCreatingIt()
    {
        await using var context = new MetadataTestContext();
        var creation = context.Topics.CreateTopic(new NewTopic("dry-run", 2, 1), validateOnly: true);

        Assert.True(creation.Error.IsSuccess);
        Assert.Equal(2, creation.Topic!.PartitionCount);
        Assert.False(creation.Topic.TopicId.IsZero);
        Assert.False(context.Topics.TryGetTopic("dry-run", out _));
        Assert.Null(context.Topics.Logs.GetLog(new TopicPartition("dry-run", 0)));
        Assert.False(File.Exists(Path.Combine(context.Directory, TopicMetadataStore.FileName)));
    }

    [Fact]
    public async Task DeleteTopicByNameRemovesItAndItsLogs()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("doomed", 2);

        var error = context.Topics.DeleteTopic("doomed", out var deleted);

        Assert.True(error.IsSuccess);
        Assert.Same(topic, deleted);
        Assert.False(context.Topics.TryGetTopic("doomed", out _));
        Assert.False(context.Topics.TryGetTopic(topic.TopicId, out _));
        Assert.Null(context.Topics.Logs.GetLog(new TopicPartition("doomed", 0)));
        Assert.Null(context.Topics.Logs.GetLog(new TopicPartition("doomed", 1)));
        Assert.False(System.IO.Directory.Exists(Path.Combine(context.Directory, "doomed-0")));
    }

    [Fact]
    public async Task DeleteTopicByIdRemovesIt()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("by-id");

        Assert.True(context.Topics.DeleteTopic(topic.TopicId, out var deleted).IsSuccess);
        Assert.Equal("by-id", deleted!.Name);
        Assert.Empty(context.Topics.Topics);
    }

    [Fact]
    public async Task DeletingAnUnknownTopicFails()
    {
        await using var context = new MetadataTestContext();

        Assert.Equal(ApiError.WithDefaultMessage(ErrorCode.UnknownTopicOrPartition), context.Topics.DeleteTopic("ghost", out _));
        Assert.Equal(ApiError.WithDefaultMessage(ErrorCode.UnknownTopicId), context.Topics.DeleteTopic(KafkaUuid.NewRandom(), out _));
    }

    [Fact]
    public async Task ARecreatedTopicHasANewIdAndEmptyLogs()
    {
        await using var context = new MetadataTestContext();
        var first = context.CreateTopic("phoenix");
        context.Topics.DeleteTopic("phoenix", out _);

        var second = context.CreateTopic("phoenix");

        Assert.NotEqual(first.TopicId, second.TopicId);
        var log = context.Topics.Logs.GetLog(new TopicPartition("phoenix", 0))!;
        Assert.Equal(second.TopicId, log.TopicId);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public async Task CreatePartitionsAddsLogsForTheNewPartitions()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("growing", 1, ("retention.ms", "1000"));

        Assert.True(context.Topics.CreatePartitions("growing", 3, null, validateOnly: false).IsSuccess);

        Assert.True(context.Topics.TryGetTopic("growing", out var grown));
        Assert.Equal(3, grown.PartitionCount);
        Assert.Equal(topic.TopicId, grown.TopicId);
        var newLog = context.Topics.Logs.GetLog(new TopicPartition("growing", 2))!;
        Assert.Equal(topic.TopicId, newLog.TopicId);
        Assert.Equal(1000L, newLog.Config.RetentionMs);
    }

    [Fact]
    public async Task CreatePartitionsOnlyIncreases()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("steady", 2);

        Assert.Equal(new ApiError(ErrorCode.InvalidPartitions, "Topic already has 2 partition(s)."),
            context.Topics.CreatePartitions("steady", 2, null, validateOnly: false));
        Assert.Equal(new ApiError(ErrorCode.InvalidPartitions, "The topic steady currently has 2 partition(s); 1 would not be an increase."),
            context.Topics.CreatePartitions("steady", 1, null, validateOnly: false));
        Assert.Equal(new ApiError(ErrorCode.UnknownTopicOrPartition, null),
            context.Topics.CreatePartitions("missing", 3, null, validateOnly: false));
    }

    [Fact]
    public async Task CreatePartitionsChecksAssignments()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("assigned", 1);

        Assert.Equal(new ApiError(ErrorCode.InvalidReplicaAssignment, "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."),
            context.Topics.CreatePartitions("assigned", 3, [[1]], validateOnly: false));
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, context.Topics.CreatePartitions("assigned", 2, [[7]], validateOnly: false).Code);
        Assert.True(context.Topics.CreatePartitions("assigned", 2, [[1]], validateOnly: false).IsSuccess);
    }

    [Fact]
    public async Task CreatePartitionsValidateOnlyChangesNothing()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("unchanged", 1);

        Assert.True(context.Topics.CreatePartitions("unchanged", 5, null, validateOnly: true).IsSuccess);

        Assert.True(context.Topics.TryGetTopic("unchanged", out var topic));
        Assert.Equal(1, topic.PartitionCount);
        Assert.Null(context.Topics.Logs.GetLog(new TopicPartition("unchanged", 1)));
    }

    [Fact]
    public async Task AlterTopicConfigsReplacesOverridesAndPushesThemToTheLogs()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("tuned", 2, ("retention.ms", "1000"));

        var error = context.Topics.AlterTopicConfigs("tuned",
            _ => ConfigOverridesChange.To(new Dictionary<string, string> { ["max.message.bytes"] = "2000" }), validateOnly: false);

        Assert.True(error.IsSuccess);
        Assert.True(context.Topics.TryGetTopic("tuned", out var topic));
        Assert.Equal(new Dictionary<string, string> { ["max.message.bytes"] = "2000" }, topic.Overrides);
        foreach (var partition in new[] { 0, 1 })
        {
            var config = context.Topics.Logs.GetLog(new TopicPartition("tuned", partition))!.Config;
            Assert.Equal(2000, config.MaxMessageBytes);
            Assert.Equal(LogConfig.Default.RetentionMs, config.RetentionMs);
        }
    }

    [Fact]
    public async Task AlterTopicConfigsChecksInKafkasOrder()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("checked", 1, ("retention.ms", "1000"));
        static ConfigOverridesChange Set(string name, string value) => ConfigOverridesChange.To(new Dictionary<string, string> { [name] = value });

        Assert.Equal(new ApiError(ErrorCode.InvalidRequest, "Default topic resources are not allowed."),
            context.Topics.AlterTopicConfigs("", _ => Set("retention.ms", "1"), validateOnly: false));
        Assert.Equal(ErrorCode.InvalidTopicException, context.Topics.AlterTopicConfigs("bad name", _ => Set("retention.ms", "1"), validateOnly: false).Code);
        Assert.Equal(new ApiError(ErrorCode.InvalidConfig, "Invalid value x for configuration retention.ms: Not a number of type LONG"),
            context.Topics.AlterTopicConfigs("missing", _ => Set("retention.ms", "x"), validateOnly: false));
        Assert.Equal(new ApiError(ErrorCode.UnknownTopicOrPartition, "The topic 'missing' does not exist."),
            context.Topics.AlterTopicConfigs("missing", _ => Set("retention.ms", "1"), validateOnly: false));
        var failed = new ApiError(ErrorCode.InvalidConfig, "computed");
        Assert.Equal(failed, context.Topics.AlterTopicConfigs("checked", _ => ConfigOverridesChange.Failed(failed), validateOnly: false));

        Assert.True(context.Topics.AlterTopicConfigs("checked", _ => Set("retention.ms", "5"), validateOnly: true).IsSuccess);
        Assert.True(context.Topics.TryGetTopic("checked", out var topic));
        Assert.Equal("1000", topic.Overrides["retention.ms"]);
    }

    [Fact]
    public async Task TopicsSurviveAReopen()
    {
        await using var context = new MetadataTestContext();
        var kept = context.CreateTopic("kept", 2, ("retention.ms", "1234"));
        context.CreateTopic("dropped", 1);
        context.Topics.DeleteTopic("dropped", out _);
        context.Topics.CreatePartitions("kept", 3, null, validateOnly: false);
        context.Topics.AlterTopicConfigs("kept",
            current => ConfigOverridesChange.To(new Dictionary<string, string>(current) { ["segment.ms"] = "60000" }), validateOnly: false);

        await context.ReopenAsync();

        var topic = Assert.Single(context.Topics.Topics);
        Assert.Equal("kept", topic.Name);
        Assert.Equal(kept.TopicId, topic.TopicId);
        Assert.Equal(3, topic.PartitionCount);
        Assert.Equal(new Dictionary<string, string> { ["retention.ms"] = "1234", ["segment.ms"] = "60000" }, topic.Overrides);
        Assert.Equal(1234L, context.Topics.Logs.GetLog(new TopicPartition("kept", 2))!.Config.RetentionMs);
        Assert.True(context.Topics.TryGetTopic(kept.TopicId, out _));
        Assert.False(context.Topics.TryGetTopic("dropped", out _));
    }

    [Fact]
    public async Task MissingLogsAreCreatedAtStart()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("repaired", 2);
        await context.Topics.DisposeAsync();
        System.IO.Directory.Delete(Path.Combine(context.Directory, "repaired-1"), recursive: true);

        await context.ReopenAsync();

        var log = context.Topics.Logs.GetLog(new TopicPartition("repaired", 1));
        Assert.NotNull(log);
        Assert.Equal(topic.TopicId, log.TopicId);
    }

    [Fact]
    public async Task LogsOfTopicsMissingFromTheListAreAdoptedWithTheirTopicId()
    {
        await using var context = new MetadataTestContext();
        var topic = context.CreateTopic("orphan", 2);
        await context.Topics.DisposeAsync();
        File.Delete(Path.Combine(context.Directory, TopicMetadataStore.FileName));

        await context.ReopenAsync();

        Assert.True(context.Topics.TryGetTopic("orphan", out var adopted));
        Assert.Equal(topic.TopicId, adopted.TopicId);
        Assert.Equal(2, adopted.PartitionCount);
        Assert.Single(new TopicMetadataStore(context.Directory).Load());
    }

    [Fact]
    public async Task ADamagedTopicListStopsTheStart()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("fine");
        await context.Topics.DisposeAsync();
        File.WriteAllText(Path.Combine(context.Directory, TopicMetadataStore.FileName), "{ not json");

        Assert.Throws<IOException>(() => TopicRegistry.Open(context.Config, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        File.Delete(Path.Combine(context.Directory, TopicMetadataStore.FileName));
        await context.ReopenAsync();
    }

    [Fact]
    public async Task ConcurrentCreatesAreAllRegisteredAndSaved()
    {
        await using var context = new MetadataTestContext();

        Parallel.For(0, 16, i => Assert.True(context.Topics.CreateTopic(new NewTopic($"parallel-{i}", 1, 1), validateOnly: false).Error.IsSuccess));

        Assert.Equal(16, context.Topics.Topics.Count);
        Assert.Equal(16, new TopicMetadataStore(context.Directory).Load().Count);
    }

    [Fact]
    public async Task TopicsAreListedByName()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("b");
        context.CreateTopic("a");
        context.CreateTopic("__consumer_offsets");

        Assert.Equal(["__consumer_offsets", "a", "b"], context.Topics.Topics.Select(t => t.Name));
        Assert.True(context.Topics.Topics[0].IsInternal);
    }

    [Fact]
    public async Task KafkasCleanerDefaultsReachTheLogManager()
    {
        await using var context = new MetadataTestContext();
        var config = context.Topics.Logs.Config;

        Assert.True(config.CleanerEnable);
        Assert.Equal(15_000L, config.CleanerBackoffMs);
        Assert.Equal(134_217_728L, config.CleanerDedupeBufferSize);
        Assert.Equal(524_288, config.CleanerIoBufferSize);
        Assert.Equal(0.9, config.CleanerIoBufferLoadFactor);
    }

    [Fact]
    public async Task FlushAndDurabilitySettingsReachTheLogManager()
    {
        await using (var defaults = new MetadataTestContext())
        {
            var config = defaults.Topics.Logs.Config;
            Assert.Equal(long.MaxValue, config.FlushSchedulerIntervalMs);
            Assert.Equal(60_000L, config.FlushOffsetCheckpointIntervalMs);
            Assert.Equal(60_000L, config.FlushStartOffsetCheckpointIntervalMs);
            Assert.False(config.DurableHighWatermark);
        }
        await using var context = new MetadataTestContext(("log.flush.scheduler.interval.ms", "1000"),
            ("log.flush.offset.checkpoint.interval.ms", "5000"), ("log.flush.start.offset.checkpoint.interval.ms", "7000"),
            ("kafkasharp.durable.high.watermark", "true"));
        var overridden = context.Topics.Logs.Config;

        Assert.Equal(1000L, overridden.FlushSchedulerIntervalMs);
        Assert.Equal(5000L, overridden.FlushOffsetCheckpointIntervalMs);
        Assert.Equal(7000L, overridden.FlushStartOffsetCheckpointIntervalMs);
        Assert.True(overridden.DurableHighWatermark);
    }

    [Fact]
    public async Task CleanerSettingsReachTheLogManagerAndTopicsWithoutOverrides()
    {
        await using var context = new MetadataTestContext(("log.cleaner.enable", "false"), ("log.cleaner.backoff.ms", "250"),
            ("log.cleaner.dedupe.buffer.size", "4194304"), ("log.cleaner.io.buffer.size", "65536"),
            ("log.cleaner.io.buffer.load.factor", "0.75"), ("log.cleanup.policy", "compact"),
            ("log.cleaner.delete.retention.ms", "1000"), ("log.cleaner.min.cleanable.ratio", "0.25"),
            ("log.cleaner.min.compaction.lag.ms", "2000"), ("log.cleaner.max.compaction.lag.ms", "600000"));
        var config = context.Topics.Logs.Config;
        context.CreateTopic("compacted");
        context.CreateTopic("deleting", 1, ("cleanup.policy", "delete"));

        Assert.False(config.CleanerEnable);
        Assert.Equal(250L, config.CleanerBackoffMs);
        Assert.Equal(4_194_304L, config.CleanerDedupeBufferSize);
        Assert.Equal(65_536, config.CleanerIoBufferSize);
        Assert.Equal(0.75, config.CleanerIoBufferLoadFactor);
        Assert.Equal(CleanupPolicy.Compact, config.DefaultLogConfig.CleanupPolicy);
        var compacted = context.Topics.Logs.GetLog(new TopicPartition("compacted", 0))!.Config;
        Assert.Equal(CleanupPolicy.Compact, compacted.CleanupPolicy);
        Assert.Equal(1000L, compacted.DeleteRetentionMs);
        Assert.Equal(0.25, compacted.MinCleanableDirtyRatio);
        Assert.Equal(2000L, compacted.MinCompactionLagMs);
        Assert.Equal(600_000L, compacted.MaxCompactionLagMs);
        var deleting = context.Topics.Logs.GetLog(new TopicPartition("deleting", 0))!.Config;
        Assert.Equal(CleanupPolicy.Delete, deleting.CleanupPolicy);
        Assert.Equal(1000L, deleting.DeleteRetentionMs);
    }

    [Fact]
    public async Task MoreCleanerThreadsAndAnIoThrottleAreAcceptedWithWarnings()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ks-metadata-" + Guid.NewGuid().ToString("N"))).FullName;
        var output = new StringWriter();
        var config = new Broker.Config.BrokerConfig(new Dictionary<string, string>
        {
            ["log.dirs"] = directory,
            ["log.cleaner.threads"] = "3",
            ["log.cleaner.io.max.bytes.per.second"] = "1000000",
        });
        try
        {
            await using (TopicRegistry.Open(config, new ConsoleLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Warning, output)))
            {
            }

            var log = output.ToString();
            Assert.Contains("log.cleaner.threads=3: KafkaSharp runs one log cleaner thread", log);
            Assert.Contains("log.cleaner.io.max.bytes.per.second=1000000.0: KafkaSharp does not throttle the log cleaner", log);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void MoreThanOneDataDirectoryIsRefused()
    {
        var config = new Broker.Config.BrokerConfig(new Dictionary<string, string> { ["log.dirs"] = "/tmp/a,/tmp/b" });

        var error = Assert.Throws<Broker.Config.ConfigException>(() =>
            TopicRegistry.Open(config, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.Contains("log.dirs", error.Message);
    }
}
