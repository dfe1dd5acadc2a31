using System.Diagnostics.CodeAnalysis;
using KafkaSharp.Broker.Config;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// The broker's topics: names, topic ids, partition counts and config overrides, in memory and in
/// storage's <see cref="TopicMetadataStore"/>, with the partition logs of <see cref="Logs"/> kept in
/// step (created with a topic or its new partitions, deleted with the topic, given new configs).
/// This node is the controller, so every change here is final when the method returns.
/// </summary>
/// <remarks>
/// <para>Lookups (<see cref="TryGetTopic(string, out TopicInfo)"/>, <see cref="Topics"/>) take no lock:
/// they read an immutable snapshot that each change replaces. Changes are serialized by one lock.</para>
/// <para>Validation follows Kafka's controller (<c>ReplicationControlManager</c>,
/// <c>ConfigurationControlManager</c>), with its error codes and messages, for a cluster of one broker.</para>
/// <para>Order of effects, so a crash leaves a state the next start repairs: a new topic or new
/// partitions are saved first and their logs created after (missing logs are created at start); a
/// deleted topic's logs are removed first and the list saved after (the topic then still exists,
/// empty, as its deletion was never acknowledged).</para>
/// </remarks>
public sealed partial class TopicRegistry : IAsyncDisposable
{
    private readonly Lock _mutationLock = new();
    private readonly TopicMetadataStore _store;
    private readonly TopicValidator _validator;
    private readonly ILogger _logger;
    private Snapshot _snapshot;

    private TopicRegistry(TopicConfigDefaults defaults, TopicValidator validator, TopicMetadataStore store, LogManager logs,
        Snapshot snapshot, ILogger logger)
    {
        Defaults = defaults;
        _validator = validator;
        _store = store;
        Logs = logs;
        _snapshot = snapshot;
        _logger = logger;
    }

    /// <summary>The partition logs; look a partition's log up with <see cref="LogManager.GetLog"/>.</summary>
    public LogManager Logs { get; }

    /// <summary>The broker's defaults for topic configs.</summary>
    public TopicConfigDefaults Defaults { get; }

    /// <summary>Every topic, by name (ordinal order).</summary>
    public IReadOnlyList<TopicInfo> Topics => Volatile.Read(ref _snapshot).Sorted;

    public bool TryGetTopic(string name, [MaybeNullWhen(false)] out TopicInfo topic) =>
        Volatile.Read(ref _snapshot).ByName.TryGetValue(name, out topic);

    public bool TryGetTopic(KafkaUuid topicId, [MaybeNullWhen(false)] out TopicInfo topic) =>
        Volatile.Read(ref _snapshot).ById.TryGetValue(topicId, out topic);

    /// <summary>
    /// Finds the topic a produce or fetch names: by id in the versions that carry topic ids (Produce
    /// v13+, Fetch v13+), else by name. Returns the per-partition error Kafka gives when it is absent.
    /// </summary>
    public ErrorCode FindTopic(bool byTopicId, KafkaUuid topicId, string name, out TopicInfo? topic) => byTopicId
        ? TryGetTopic(topicId, out topic) ? ErrorCode.None : ErrorCode.UnknownTopicId
        : TryGetTopic(name, out topic) ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;

    /// <summary>
    /// Loads the topic list from the data directory, opens the partition logs (storage recovers them
    /// if needed) and repairs the differences between the two: missing logs are created; logs of
    /// topics the list does not know are adopted as topics (with a warning), never deleted.
    /// </summary>
    /// <exception cref="ConfigException">More than one data directory, or broker defaults that are not valid topic configs.</exception>
    /// <exception cref="IOException">The data directory cannot be used, its topic list is damaged, or a log belongs to another topic id than the list says.</exception>
    public static TopicRegistry Open(BrokerConfig config, ILoggerFactory loggerFactory, TimeProvider? time = null,
        Action<PartitionLog>? highWatermarkAdvanced = null)
    {
        var logger = loggerFactory.CreateLogger<TopicRegistry>();
        if (config.LogDirs.Count != 1)
        {
            throw new ConfigException($"log.dirs: KafkaSharp keeps its data in one directory, but {config.LogDirs.Count} are configured");
        }
        var defaults = TopicConfigDefaults.Create(config);
        var validator = new TopicValidator(config, defaults);
        var directory = config.LogDirs[0];
        var store = new TopicMetadataStore(directory);
        Dictionary<string, TopicInfo> topics;
        try
        {
            topics = TopicLoader.Load(store, validator);
        }
        catch (InvalidDataException e)
        {
            throw new IOException(e.Message, e);
        }
        var topicConfigs = new Dictionary<string, LogConfig>(StringComparer.Ordinal);
        foreach (var topic in topics.Values)
        {
            topicConfigs[topic.Name] = topic.Config;
        }
        var logManagerConfig = new LogManagerConfig(directory)
        {
            DefaultLogConfig = defaults.LogConfig,
            RetentionCheckIntervalMs = config.LogRetentionCheckIntervalMs,
            FlushSchedulerIntervalMs = config.LogFlushSchedulerIntervalMs,
            FlushOffsetCheckpointIntervalMs = config.LogFlushOffsetCheckpointIntervalMs,
            FlushStartOffsetCheckpointIntervalMs = config.LogFlushStartOffsetCheckpointIntervalMs,
            DurableHighWatermark = config.DurableHighWatermark,
            ProducerIdExpirationMs = config.ProducerIdExpirationMs,
            ProducerIdExpirationCheckIntervalMs = config.ProducerIdExpirationCheckIntervalMs,
            CleanerEnable = config.LogCleanerEnable,
            CleanerBackoffMs = config.LogCleanerBackoffMs,
            CleanerDedupeBufferSize = config.LogCleanerDedupeBufferSize,
            CleanerIoBufferSize = config.LogCleanerIoBufferSize,
            CleanerIoBufferLoadFactor = config.LogCleanerIoBufferLoadFactor,
        };
        WarnAboutCleanerSettings(config, logger);
        var logs = LogManager.Open(logManagerConfig, topicConfigs, time, line => LogStorageReport(logger, line), highWatermarkAdvanced);
        try
        {
            if (TopicLoader.Reconcile(topics, logs, defaults.LogConfig, logger))
            {
                store.Save(ToMetadata(topics.Values));
            }
            foreach (var topic in topics.Values)
            {
                CreateLogs(logs, topic, 0);
            }
        }
        catch (Exception e)
        {
            logs.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (e is InvalidDataException)
            {
                throw new IOException(e.Message, e);
            }
            throw;
        }
        LogLoaded(logger, topics.Count, directory);
        return new TopicRegistry(defaults, validator, store, logs, new Snapshot(topics.Values), logger);
    }

    /// <summary>
    /// Creates a topic (or, with <paramref name="validateOnly"/>, checks that it could be created and
    /// returns the topic it would be, with a fresh topic id, without registering it).
    /// </summary>
    public TopicCreation CreateTopic(NewTopic newTopic, bool validateOnly)
    {
        lock (_mutationLock)
        {
            var snapshot = _snapshot;
            var error = _validator.ValidateNewTopic(newTopic, snapshot.ByName.ContainsKey(newTopic.Name), out var partitionCount, out var overrides, out var config);
            if (error.IsFailure)
            {
                if (!validateOnly)
                {
                    LogCreateRefused(_logger, newTopic.Name, error);
                }
                return new TopicCreation(error, null);
            }
            var topic = new TopicInfo(newTopic.Name, KafkaUuid.NewRandom(), partitionCount, overrides!, config!);
            if (validateOnly)
            {
                return new TopicCreation(ApiError.None, topic);
            }
            var next = snapshot.With(topic);
            if (!TrySave(next, out error))
            {
                return new TopicCreation(error, null);
            }
            error = TryCreateLogs(topic, 0);
            Publish(next);
            if (error.IsSuccess)
            {
                LogCreated(_logger, topic.Name, topic.TopicId, topic.PartitionCount);
            }
            return new TopicCreation(error, error.IsSuccess ? topic : null);
        }
    }

    /// <summary>Deletes the topic named <paramref name="name"/> and its partition logs.</summary>
    public ApiError DeleteTopic(string name, out TopicInfo? deleted)
    {
        lock (_mutationLock)
        {
            if (!_snapshot.ByName.TryGetValue(name, out deleted))
            {
                return ApiError.WithDefaultMessage(ErrorCode.UnknownTopicOrPartition);
            }
            return Delete(deleted);
        }
    }

    /// <summary>Deletes the topic with id <paramref name="topicId"/> and its partition logs.</summary>
    public ApiError DeleteTopic(KafkaUuid topicId, out TopicInfo? deleted)
    {
        lock (_mutationLock)
        {
            if (!_snapshot.ById.TryGetValue(topicId, out deleted))
            {
                return ApiError.WithDefaultMessage(ErrorCode.UnknownTopicId);
            }
            return Delete(deleted);
        }
    }

    /// <summary>
    /// Raises a topic's partition count to <paramref name="count"/>. <paramref name="assignments"/>,
    /// when given, holds the replicas of each new partition and must name only this broker.
    /// </summary>
    public ApiError CreatePartitions(string name, int count, IReadOnlyList<IReadOnlyList<int>>? assignments, bool validateOnly)
    {
        lock (_mutationLock)
        {
            var snapshot = _snapshot;
            if (!snapshot.ByName.TryGetValue(name, out var topic))
            {
                return new ApiError(ErrorCode.UnknownTopicOrPartition, null);
            }
            if (count == topic.PartitionCount)
            {
                return new ApiError(ErrorCode.InvalidPartitions, $"Topic already has {topic.PartitionCount} partition(s).");
            }
            if (count < topic.PartitionCount)
            {
                return new ApiError(ErrorCode.InvalidPartitions,
                    $"The topic {name} currently has {topic.PartitionCount} partition(s); {count} would not be an increase.");
            }
            var additional = count - topic.PartitionCount;
            if (assignments is not null)
            {
                if (assignments.Count != additional)
                {
                    return new ApiError(ErrorCode.InvalidReplicaAssignment,
                        $"Attempted to add {additional} additional partition(s), but only {assignments.Count} assignment(s) were specified.");
                }
                foreach (var brokerIds in assignments)
                {
                    var error = _validator.ValidateManualAssignment(brokerIds, TopicInfo.ReplicationFactor);
                    if (error.IsFailure)
                    {
                        return error;
                    }
                }
            }
            if (validateOnly)
            {
                return ApiError.None;
            }
            var grown = new TopicInfo(topic.Name, topic.TopicId, count, topic.Overrides, topic.Config);
            var next = snapshot.With(grown);
            if (!TrySave(next, out var saveError))
            {
                return saveError;
            }
            var createError = TryCreateLogs(grown, topic.PartitionCount);
            Publish(next);
            if (createError.IsSuccess)
            {
                LogPartitionsCreated(_logger, name, topic.PartitionCount, count);
            }
            return createError;
        }
    }

    /// <summary>
    /// Replaces a topic's config overrides with what <paramref name="change"/> makes of the current
    /// ones (empty when the topic does not exist), after Kafka's checks in Kafka's order: the
    /// change itself, the resource name, the configs, then the topic's existence. The new effective
    /// config is pushed to the topic's partition logs.
    /// </summary>
    public ApiError AlterTopicConfigs(string name, Func<IReadOnlyDictionary<string, string>, ConfigOverridesChange> change,
        bool validateOnly)
    {
        lock (_mutationLock)
        {
            var snapshot = _snapshot;
            snapshot.ByName.TryGetValue(name, out var topic);
            var changed = change(topic?.Overrides ?? EmptyOverrides);
            if (changed.Error.IsFailure)
            {
                return changed.Error;
            }
            if (name.Length == 0)
            {
                return new ApiError(ErrorCode.InvalidRequest, "Default topic resources are not allowed.");
            }
            if (TopicNames.Validate(name) is { } reason)
            {
                return new ApiError(ErrorCode.InvalidTopicException, reason);
            }
            var error = _validator.ValidateOverrides(changed.Overrides!, out var overrides, out var config);
            if (error.IsFailure)
            {
                return error;
            }
            if (topic is null)
            {
                return new ApiError(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }
            if (validateOnly)
            {
                return ApiError.None;
            }
            var altered = new TopicInfo(topic.Name, topic.TopicId, topic.PartitionCount, overrides, config);
            var next = snapshot.With(altered);
            if (!TrySave(next, out error))
            {
                return error;
            }
            Logs.UpdateTopicConfig(name, config);
            Publish(next);
            LogConfigsAltered(_logger, name, overrides.Count);
            return ApiError.None;
        }
    }

    /// <summary>Closes the partition logs (a clean shutdown of storage).</summary>
    public ValueTask DisposeAsync() => Logs.DisposeAsync();

    /// <summary>Storage runs one cleaner thread without an I/O throttle: say so when the config asks for more.</summary>
    private static void WarnAboutCleanerSettings(BrokerConfig config, ILogger logger)
    {
        if (!config.LogCleanerEnable)
        {
            return;
        }
        if (config.LogCleanerThreads > 1)
        {
            LogCleanerThreadsIgnored(logger, config.LogCleanerThreads);
        }
        if (config.LogCleanerIoMaxBytesPerSecond < double.MaxValue)
        {
            LogCleanerThrottleIgnored(logger, JavaDouble.Format(config.LogCleanerIoMaxBytesPerSecond));
        }
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyOverrides = new Dictionary<string, string>(StringComparer.Ordinal);

    private ApiError Delete(TopicInfo topic)
    {
        var next = _snapshot.Without(topic);
        Publish(next);
        try
        {
            for (var partition = 0; partition < topic.PartitionCount; partition++)
            {
                Logs.DeleteLog(new TopicPartition(topic.Name, partition));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStorageFailed(_logger, e, "deleting the logs of", topic.Name);
            return new ApiError(ErrorCode.UnknownServerError, null);
        }
        if (!TrySave(next, out var error))
        {
            return error;
        }
        LogDeleted(_logger, topic.Name, topic.TopicId);
        return ApiError.None;
    }

    private void Publish(Snapshot next) => Volatile.Write(ref _snapshot, next);

    private bool TrySave(Snapshot next, out ApiError error)
    {
        try
        {
            _store.Save(ToMetadata(next.Sorted));
            error = ApiError.None;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStorageFailed(_logger, e, "saving the topic list in", _store.Path);
            error = new ApiError(ErrorCode.UnknownServerError, null);
            return false;
        }
    }

    private ApiError TryCreateLogs(TopicInfo topic, int firstPartition)
    {
        try
        {
            CreateLogs(Logs, topic, firstPartition);
            return ApiError.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStorageFailed(_logger, e, "creating the partition logs of", topic.Name);
            return new ApiError(ErrorCode.UnknownServerError, null);
        }
    }

    private static void CreateLogs(LogManager logs, TopicInfo topic, int firstPartition)
    {
        for (var partition = firstPartition; partition < topic.PartitionCount; partition++)
        {
            logs.GetOrCreateLog(new TopicPartition(topic.Name, partition), topic.TopicId, topic.Config);
        }
    }

    private static List<TopicMetadata> ToMetadata(IEnumerable<TopicInfo> topics)
    {
        var list = new List<TopicMetadata>();
        foreach (var topic in topics)
        {
            list.Add(new TopicMetadata(topic.Name, topic.TopicId, topic.PartitionCount, topic.Overrides));
        }
        return list;
    }

    /// <summary>An immutable view of all topics; replaced as a whole on every change.</summary>
    private sealed class Snapshot
    {
        public Snapshot(IEnumerable<TopicInfo> topics)
        {
            var sorted = new List<TopicInfo>(topics);
            sorted.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            Sorted = sorted;
            ByName = new Dictionary<string, TopicInfo>(sorted.Count, StringComparer.Ordinal);
            ById = new Dictionary<KafkaUuid, TopicInfo>(sorted.Count);
            foreach (var topic in sorted)
            {
                ByName.Add(topic.Name, topic);
                ById.Add(topic.TopicId, topic);
            }
        }

        public IReadOnlyList<TopicInfo> Sorted { get; }

        public Dictionary<string, TopicInfo> ByName { get; }

        public Dictionary<KafkaUuid, TopicInfo> ById { get; }

        /// <summary>This snapshot with <paramref name="topic"/> added, or replacing the topic of the same name.</summary>
        public Snapshot With(TopicInfo topic)
        {
            var topics = new List<TopicInfo>(Sorted.Count + 1);
            foreach (var existing in Sorted)
            {
                if (existing.Name != topic.Name)
                {
                    topics.Add(existing);
                }
            }
            topics.Add(topic);
            return new Snapshot(topics);
        }

        public Snapshot Without(TopicInfo topic)
        {
            var topics = new List<TopicInfo>(Sorted.Count);
            foreach (var existing in Sorted)
            {
                if (existing.Name != topic.Name)
                {
                    topics.Add(existing);
                }
            }
            return new Snapshot(topics);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {TopicCount} topics from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int topicCount, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with topic id {TopicId} and {PartitionCount} partitions")]
    private static partial void LogCreated(ILogger logger, string topic, KafkaUuid topicId, int partitionCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic} not created: {Error}")]
    private static partial void LogCreateRefused(ILogger logger, string topic, ApiError error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic} with topic id {TopicId}")]
    private static partial void LogDeleted(ILogger logger, string topic, KafkaUuid topicId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: partitions raised from {OldCount} to {NewCount}")]
    private static partial void LogPartitionsCreated(ILogger logger, string topic, int oldCount, int newCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: config overrides replaced ({OverrideCount} set)")]
    private static partial void LogConfigsAltered(ILogger logger, string topic, int overrideCount);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "log.cleaner.threads={Threads}: KafkaSharp runs one log cleaner thread, which uses the whole log.cleaner.dedupe.buffer.size and log.cleaner.io.buffer.size")]
    private static partial void LogCleanerThreadsIgnored(ILogger logger, int threads);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "log.cleaner.io.max.bytes.per.second={Rate}: KafkaSharp does not throttle the log cleaner; it reads and writes at full speed")]
    private static partial void LogCleanerThrottleIgnored(ILogger logger, string rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage: {Report}")]
    private static partial void LogStorageReport(ILogger logger, string report);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed {Action} {Subject}")]
    private static partial void LogStorageFailed(ILogger logger, Exception exception, string action, string subject);
}

/// <summary>A topic's new config overrides (name to value), or why they could not be computed.</summary>
public readonly record struct ConfigOverridesChange(IReadOnlyDictionary<string, string>? Overrides, ApiError Error)
{
    public static ConfigOverridesChange To(IReadOnlyDictionary<string, string> overrides) => new(overrides, ApiError.None);

    public static ConfigOverridesChange Failed(ApiError error) => new(null, error);
}
