namespace KafkaSharp.Broker.Config;

/// <summary>
/// The broker's static configuration: a <c>server.properties</c>-style file plus <c>--override</c>
/// values, validated once at start against <see cref="BrokerConfigs"/>. Code reads the typed
/// properties (e.g. <c>config.NumPartitions</c>); DescribeConfigs reads <see cref="Entries"/>.
/// Unknown names are kept in <see cref="UnknownNames"/> for a warning, as Kafka does.
/// </summary>
public sealed class BrokerConfig
{
    private readonly Dictionary<string, object> _explicitValues = new(StringComparer.Ordinal);

    /// <exception cref="ConfigException">A value does not parse, is out of range, or conflicts with another.</exception>
    public BrokerConfig(IReadOnlyDictionary<string, string> values)
    {
        var unknown = new List<string>();
        foreach (var (name, raw) in values)
        {
            var definition = BrokerConfigs.Find(name);
            if (definition is null)
            {
                unknown.Add(name);
                continue;
            }
            _explicitValues[name] = definition.Parse(raw);
        }
        unknown.Sort(StringComparer.Ordinal);
        UnknownNames = unknown;

        NodeId = ResolveNodeId();
        var securityProtocolMap = ParseSecurityProtocolMap();
        Listeners = ListenerEndpoint.ParseList(GetList(BrokerConfigs.Listeners)!, BrokerConfigs.Listeners.Name, securityProtocolMap);
        if (Listeners.Count == 0)
        {
            throw new ConfigException("listeners: at least one listener is required");
        }
        foreach (var listener in Listeners)
        {
            if (listener.SecurityProtocol != ListenerEndpoint.Plaintext)
            {
                throw new ConfigException(
                    $"listeners: {listener} uses security protocol {listener.SecurityProtocol}; KafkaSharp serves PLAINTEXT only");
            }
        }
        AdvertisedListeners = ResolveAdvertisedListeners(securityProtocolMap);
        LogDirs = ResolveLogDirs();

        SocketRequestMaxBytes = GetInt(BrokerConfigs.SocketRequestMaxBytes);
        NumPartitions = GetInt(BrokerConfigs.NumPartitions);
        DefaultReplicationFactor = GetInt(BrokerConfigs.DefaultReplicationFactor);
        AutoCreateTopicsEnable = GetBoolean(BrokerConfigs.AutoCreateTopicsEnable);
        DeleteTopicEnable = GetBoolean(BrokerConfigs.DeleteTopicEnable);
        MessageMaxBytes = GetInt(BrokerConfigs.MessageMaxBytes);
        LogSegmentBytes = GetInt(BrokerConfigs.LogSegmentBytes);
        LogRollMs = GetLong(BrokerConfigs.LogRollMs) ?? GetInt(BrokerConfigs.LogRollHours) * 3_600_000L;
        LogRetentionMs = ResolveRetentionMs();
        LogRetentionBytes = GetLong(BrokerConfigs.LogRetentionBytes)!.Value;
        LogRetentionCheckIntervalMs = GetLong(BrokerConfigs.LogRetentionCheckIntervalMs)!.Value;
        LogIndexIntervalBytes = GetInt(BrokerConfigs.LogIndexIntervalBytes);
        LogIndexSizeMaxBytes = GetInt(BrokerConfigs.LogIndexSizeMaxBytes);
        LogFlushIntervalMessages = GetLong(BrokerConfigs.LogFlushIntervalMessages)!.Value;
        LogFlushIntervalMs = GetLong(BrokerConfigs.LogFlushIntervalMs) ?? long.MaxValue;
        LogFlushSchedulerIntervalMs = GetLong(BrokerConfigs.LogFlushSchedulerIntervalMs)!.Value;
        LogFlushOffsetCheckpointIntervalMs = GetInt(BrokerConfigs.LogFlushOffsetCheckpointIntervalMs);
        LogFlushStartOffsetCheckpointIntervalMs = GetInt(BrokerConfigs.LogFlushStartOffsetCheckpointIntervalMs);
        LogCleanupPolicy = GetList(BrokerConfigs.LogCleanupPolicy)!;
        LogCleanerEnable = GetBoolean(BrokerConfigs.LogCleanerEnable);
        LogCleanerThreads = GetInt(BrokerConfigs.LogCleanerThreads);
        LogCleanerIoMaxBytesPerSecond = GetDouble(BrokerConfigs.LogCleanerIoMaxBytesPerSecond);
        LogCleanerDedupeBufferSize = GetLong(BrokerConfigs.LogCleanerDedupeBufferSize)!.Value;
        LogCleanerIoBufferSize = GetInt(BrokerConfigs.LogCleanerIoBufferSize);
        LogCleanerIoBufferLoadFactor = GetDouble(BrokerConfigs.LogCleanerIoBufferLoadFactor);
        LogCleanerBackoffMs = GetLong(BrokerConfigs.LogCleanerBackoffMs)!.Value;
        ValidateCleaner();
        LogMessageTimestampType = GetString(BrokerConfigs.LogMessageTimestampType)!;
        CompressionType = GetString(BrokerConfigs.CompressionType)!;
        MinInsyncReplicas = GetInt(BrokerConfigs.MinInsyncReplicas);
        OffsetsTopicNumPartitions = GetInt(BrokerConfigs.OffsetsTopicNumPartitions);
        OffsetsRetentionMinutes = GetInt(BrokerConfigs.OffsetsRetentionMinutes);
        GroupInitialRebalanceDelayMs = GetInt(BrokerConfigs.GroupInitialRebalanceDelayMs);
        GroupMinSessionTimeoutMs = GetInt(BrokerConfigs.GroupMinSessionTimeoutMs);
        GroupMaxSessionTimeoutMs = GetInt(BrokerConfigs.GroupMaxSessionTimeoutMs);
        GroupMaxSize = GetInt(BrokerConfigs.GroupMaxSize);
        OffsetMetadataMaxBytes = GetInt(BrokerConfigs.OffsetMetadataMaxBytes);
        OffsetsRetentionCheckIntervalMs = GetLong(BrokerConfigs.OffsetsRetentionCheckIntervalMs)!.Value;
        OffsetsCommitTimeoutMs = GetInt(BrokerConfigs.OffsetsCommitTimeoutMs);
        OffsetsLoadBufferSize = GetInt(BrokerConfigs.OffsetsLoadBufferSize);
        ProducerIdExpirationMs = GetInt(BrokerConfigs.ProducerIdExpirationMs);
        ProducerIdExpirationCheckIntervalMs = GetInt(BrokerConfigs.ProducerIdExpirationCheckIntervalMs);
        TransactionMaxTimeoutMs = GetInt(BrokerConfigs.TransactionMaxTimeoutMs);
        DurableHighWatermark = GetBoolean(BrokerConfigs.DurableHighWatermark);
        FetchZeroCopy = GetBoolean(BrokerConfigs.FetchZeroCopy);
    }

    /// <summary>Reads <paramref name="configFile"/> (if any), then applies the overrides in order.</summary>
    public static BrokerConfig Load(string? configFile, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var values = configFile is null ? new Dictionary<string, string>(StringComparer.Ordinal) : PropertiesFile.Load(configFile);
        foreach (var (name, value) in overrides)
        {
            values[name] = value;
        }
        return new BrokerConfig(values);
    }

    /// <summary>Config names that were given but that KafkaSharp does not know (sorted).</summary>
    public IReadOnlyList<string> UnknownNames { get; }

    public int NodeId { get; }

    public IReadOnlyList<ListenerEndpoint> Listeners { get; }

    /// <summary>One entry per listener, in the order of <see cref="Listeners"/>; port 0 means "the port bound at start".</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListeners { get; }

    /// <summary>Absolute paths of the data directories.</summary>
    public IReadOnlyList<string> LogDirs { get; }

    public int SocketRequestMaxBytes { get; }

    public int NumPartitions { get; }

    public int DefaultReplicationFactor { get; }

    public bool AutoCreateTopicsEnable { get; }

    public bool DeleteTopicEnable { get; }

    public int MessageMaxBytes { get; }

    public int LogSegmentBytes { get; }

    /// <summary>log.roll.ms, else log.roll.hours in milliseconds.</summary>
    public long LogRollMs { get; }

    /// <summary>log.retention.ms, else minutes, else hours, in milliseconds; -1 (any negative) keeps records forever.</summary>
    public long LogRetentionMs { get; }

    public long LogRetentionBytes { get; }

    public long LogRetentionCheckIntervalMs { get; }

    public int LogIndexIntervalBytes { get; }

    public int LogIndexSizeMaxBytes { get; }

    public long LogFlushIntervalMessages { get; }

    /// <summary>log.flush.interval.ms, or <see cref="long.MaxValue"/> (never by time) when unset.</summary>
    public long LogFlushIntervalMs { get; }

    public long LogFlushSchedulerIntervalMs { get; }

    public int LogFlushOffsetCheckpointIntervalMs { get; }

    public int LogFlushStartOffsetCheckpointIntervalMs { get; }

    public IReadOnlyList<string> LogCleanupPolicy { get; }

    public bool LogCleanerEnable { get; }

    /// <summary>Kafka's cleaner thread count. KafkaSharp runs one cleaner thread whatever the value, and warns when it is larger.</summary>
    public int LogCleanerThreads { get; }

    /// <summary>Kafka's cleaner I/O throttle. KafkaSharp does not throttle the cleaner, and warns when a throttle is set.</summary>
    public double LogCleanerIoMaxBytesPerSecond { get; }

    public long LogCleanerDedupeBufferSize { get; }

    public int LogCleanerIoBufferSize { get; }

    public double LogCleanerIoBufferLoadFactor { get; }

    public long LogCleanerBackoffMs { get; }

    public string LogMessageTimestampType { get; }

    public string CompressionType { get; }

    public int MinInsyncReplicas { get; }

    public int OffsetsTopicNumPartitions { get; }

    public int OffsetsRetentionMinutes { get; }

    public int GroupInitialRebalanceDelayMs { get; }

    public int GroupMinSessionTimeoutMs { get; }

    public int GroupMaxSessionTimeoutMs { get; }

    public int GroupMaxSize { get; }

    public int OffsetMetadataMaxBytes { get; }

    public long OffsetsRetentionCheckIntervalMs { get; }

    public int OffsetsCommitTimeoutMs { get; }

    public int OffsetsLoadBufferSize { get; }

    public int ProducerIdExpirationMs { get; }

    public int ProducerIdExpirationCheckIntervalMs { get; }

    public int TransactionMaxTimeoutMs { get; }

    public bool DurableHighWatermark { get; }

    public bool FetchZeroCopy { get; }

    /// <summary>Every known config with its value as text (null when it has none) and where it came from.</summary>
    public IEnumerable<ConfigEntry> Entries
    {
        get
        {
            foreach (var definition in BrokerConfigs.All)
            {
                yield return _explicitValues.TryGetValue(definition.Name, out var value)
                    ? new ConfigEntry(definition, Format(value), ConfigSource.StaticBrokerConfig)
                    : new ConfigEntry(definition, definition.DefaultValue, ConfigSource.DefaultConfig);
            }
        }
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => JavaDouble.Format(d),
        IReadOnlyList<string> list => string.Join(',', list),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private object? Get(ConfigDefinition definition) =>
        _explicitValues.TryGetValue(definition.Name, out var value) ? value
        : definition.DefaultValue is null ? null
        : definition.Parse(definition.DefaultValue);

    private int GetInt(ConfigDefinition definition) => (int)Get(definition)!;

    private bool GetBoolean(ConfigDefinition definition) => (bool)Get(definition)!;

    private double GetDouble(ConfigDefinition definition) => (double)Get(definition)!;

    private long? GetLong(ConfigDefinition definition) => (long?)Get(definition);

    private string? GetString(ConfigDefinition definition) => (string?)Get(definition);

    private IReadOnlyList<string>? GetList(ConfigDefinition definition) => (IReadOnlyList<string>?)Get(definition);

    private int ResolveNodeId()
    {
        var nodeIdSet = _explicitValues.TryGetValue(BrokerConfigs.NodeId.Name, out var nodeId);
        if (_explicitValues.TryGetValue(BrokerConfigs.BrokerId.Name, out var brokerId) && (int)brokerId >= 0)
        {
            if (nodeIdSet && (int)nodeId! != (int)brokerId)
            {
                throw new ConfigException($"broker.id ({brokerId}) and node.id ({nodeId}) differ; set only one of them");
            }
            return (int)brokerId;
        }
        return GetInt(BrokerConfigs.NodeId);
    }

    private Dictionary<string, string> ParseSecurityProtocolMap()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in GetList(BrokerConfigs.ListenerSecurityProtocolMap)!)
        {
            var colon = pair.IndexOf(':');
            if (colon <= 0 || colon == pair.Length - 1)
            {
                throw new ConfigException($"listener.security.protocol.map: '{pair}' is not of the form NAME:PROTOCOL");
            }
            map[pair[..colon].Trim().ToUpperInvariant()] = pair[(colon + 1)..].Trim().ToUpperInvariant();
        }
        return map;
    }

    private List<ListenerEndpoint> ResolveAdvertisedListeners(Dictionary<string, string> securityProtocolMap)
    {
        var advertised = GetList(BrokerConfigs.AdvertisedListeners) is { } entries
            ? ListenerEndpoint.ParseList(entries, BrokerConfigs.AdvertisedListeners.Name, securityProtocolMap)
            : [];
        foreach (var endpoint in advertised)
        {
            if (endpoint.Host is "0.0.0.0" or "::" or "")
            {
                throw new ConfigException(
                    $"advertised.listeners: {endpoint} does not name a host clients can connect to");
            }
            if (!Listeners.Any(listener => listener.Name == endpoint.Name))
            {
                throw new ConfigException($"advertised.listeners: {endpoint.Name} is not a listener name in listeners");
            }
        }
        var resolved = new List<ListenerEndpoint>(Listeners.Count);
        foreach (var listener in Listeners)
        {
            var explicitEndpoint = advertised.Find(endpoint => endpoint.Name == listener.Name);
            resolved.Add(explicitEndpoint ?? listener with
            {
                Host = listener.Host is "" or "0.0.0.0" or "::" ? "localhost" : listener.Host,
            });
        }
        return resolved;
    }

    private List<string> ResolveLogDirs()
    {
        var dirs = GetList(BrokerConfigs.LogDirs) ?? [GetString(BrokerConfigs.LogDir)!];
        var resolved = new List<string>(dirs.Count);
        foreach (var dir in dirs)
        {
            if (dir.Length == 0)
            {
                throw new ConfigException("log.dirs: empty directory name");
            }
            var full = Path.GetFullPath(dir);
            if (!resolved.Contains(full))
            {
                resolved.Add(full);
            }
        }
        if (resolved.Count == 0)
        {
            throw new ConfigException("log.dirs: at least one directory is required");
        }
        return resolved;
    }

    /// <summary>Kafka's start-up checks of the cleaner settings (<c>KafkaConfig</c> and the cleaner's offset map).</summary>
    private void ValidateCleaner()
    {
        if (LogCleanerThreads == 0)
        {
            // Kafka's validator accepts 0, then fails the start dividing the dedupe buffer among no threads.
            throw new ConfigException("log.cleaner.threads must be at least 1: the dedupe buffer is divided among the cleaner threads");
        }
        if (LogCleanerDedupeBufferSize / LogCleanerThreads <= 1024 * 1024)
        {
            throw new ConfigException("log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.");
        }
        if (LogCleanerEnable && !(LogCleanerIoBufferLoadFactor > 0))
        {
            throw new ConfigException(
                $"log.cleaner.io.buffer.load.factor: {Format(LogCleanerIoBufferLoadFactor)} leaves no room in the cleaner's offset map, so log cleaning would never make progress");
        }
    }

    private long ResolveRetentionMs()
    {
        if (GetLong(BrokerConfigs.LogRetentionMs) is { } ms)
        {
            return ms < 0 ? -1 : ms;
        }
        if ((int?)Get(BrokerConfigs.LogRetentionMinutes) is { } min)
        {
            return min < 0 ? -1 : min * 60_000L;
        }
        var hours = GetInt(BrokerConfigs.LogRetentionHours);
        return hours < 0 ? -1 : hours * 3_600_000L;
    }
}

/// <summary>A config as DescribeConfigs shows it.</summary>
public readonly record struct ConfigEntry(ConfigDefinition Definition, string? Value, ConfigSource Source);
