using KafkaSharp.Broker.Config;
using KafkaSharp.Protocol;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// Kafka's controller checks for new topics, manual replica assignments and topic config overrides
/// (<c>ReplicationControlManager</c>, <c>LogConfig.validate</c>), with Kafka's error codes and
/// messages, for a cluster of one broker: this node.
/// </summary>
internal sealed class TopicValidator(BrokerConfig brokerConfig, TopicConfigDefaults defaults)
{
    /// <summary>The brokers a replica can be placed on: this node only.</summary>
    public const int BrokerCount = 1;

    /// <summary>
    /// Kafka's checks of a topic to create, in Kafka's order: the name, its existence
    /// (<paramref name="exists"/>), the configs, then partitions, replication factor and assignments.
    /// On success the partition count, the canonical overrides and the effective config are set.
    /// </summary>
    public ApiError ValidateNewTopic(NewTopic newTopic, bool exists, out int partitionCount,
        out Dictionary<string, string>? overrides, out LogConfig? config)
    {
        partitionCount = 0;
        overrides = null;
        config = null;
        var name = newTopic.Name;
        if (name == TopicNames.ClusterMetadata)
        {
            return new ApiError(ErrorCode.InvalidRequest, $"Creation of internal topic {TopicNames.ClusterMetadata} is prohibited.");
        }
        if (TopicNames.Validate(name) is { } reason)
        {
            return new ApiError(ErrorCode.InvalidTopicException, reason);
        }
        if (exists)
        {
            return new ApiError(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
        }
        var requested = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string>? nullConfigs = null;
        foreach (var (configName, value) in newTopic.Configs)
        {
            if (value is null)
            {
                (nullConfigs ??= []).Add(configName);
            }
            else
            {
                requested[configName] = value;
            }
        }
        if (nullConfigs is not null)
        {
            return new ApiError(ErrorCode.InvalidConfig, "Null value not supported for topic configs: " + string.Join(',', nullConfigs));
        }
        var error = ValidateOverrides(requested, out var canonical, out var logConfig);
        if (error.IsFailure)
        {
            return error;
        }
        error = ResolvePartitions(newTopic, out partitionCount);
        if (error.IsFailure)
        {
            return error;
        }
        overrides = canonical;
        config = logConfig;
        return ApiError.None;
    }

    /// <summary>The partition count of a new topic after Kafka's checks of counts, replication factor and manual assignments.</summary>
    private ApiError ResolvePartitions(NewTopic newTopic, out int partitionCount)
    {
        partitionCount = 0;
        if (newTopic.Assignments.Count > 0)
        {
            if (newTopic.ReplicationFactor != -1)
            {
                return new ApiError(ErrorCode.InvalidRequest,
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
            }
            if (newTopic.NumPartitions != -1)
            {
                return new ApiError(ErrorCode.InvalidRequest,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            var partitions = new HashSet<int>();
            int? replicationFactor = null;
            foreach (var assignment in newTopic.Assignments)
            {
                if (!partitions.Add(assignment.PartitionIndex))
                {
                    return new ApiError(ErrorCode.InvalidReplicaAssignment,
                        $"Found multiple manual partition assignments for partition {assignment.PartitionIndex}");
                }
                var error = ValidateManualAssignment(assignment.BrokerIds, replicationFactor);
                if (error.IsFailure)
                {
                    return error;
                }
                replicationFactor = assignment.BrokerIds.Count;
            }
            for (var i = 0; i < partitions.Count; i++)
            {
                if (!partitions.Contains(i))
                {
                    return new ApiError(ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence");
                }
            }
            partitionCount = partitions.Count;
            return ApiError.None;
        }
        if (newTopic.ReplicationFactor < -1 || newTopic.ReplicationFactor == 0)
        {
            return new ApiError(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        if (newTopic.NumPartitions < -1 || newTopic.NumPartitions == 0)
        {
            return new ApiError(ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
        }
        var count = newTopic.NumPartitions == -1 ? brokerConfig.NumPartitions : newTopic.NumPartitions;
        var factor = newTopic.ReplicationFactor == -1 ? (short)brokerConfig.DefaultReplicationFactor : newTopic.ReplicationFactor;
        if (factor <= 0)
        {
            return new ApiError(ErrorCode.InvalidReplicationFactor,
                $"Unable to replicate the partition {factor} time(s): Invalid replication factor {factor}: the replication factor must be positive.");
        }
        if (factor > BrokerCount)
        {
            return new ApiError(ErrorCode.InvalidReplicationFactor,
                $"Unable to replicate the partition {factor} time(s): The target replication factor of {factor} cannot be reached because only {BrokerCount} broker(s) are registered.");
        }
        partitionCount = count;
        return ApiError.None;
    }

    /// <summary>Kafka's check of one partition's manual replica list; here only this node is a registered broker.</summary>
    public ApiError ValidateManualAssignment(IReadOnlyList<int> brokerIds, int? replicationFactor)
    {
        if (brokerIds.Count == 0)
        {
            return new ApiError(ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.");
        }
        var sorted = new List<int>(brokerIds);
        sorted.Sort();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (sorted[i] != brokerConfig.NodeId)
            {
                return new ApiError(ErrorCode.InvalidReplicaAssignment,
                    $"The manual partition assignment includes broker {sorted[i]}, but no such broker is registered.");
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                return new ApiError(ErrorCode.InvalidReplicaAssignment,
                    $"The manual partition assignment includes the broker {sorted[i]} more than once.");
            }
        }
        if (replicationFactor is { } expected && sorted.Count != expected)
        {
            return new ApiError(ErrorCode.InvalidReplicaAssignment,
                $"The manual partition assignment includes a partition with {sorted.Count} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s).");
        }
        return ApiError.None;
    }

    /// <summary>
    /// Kafka's <c>LogConfig.validate</c> for a topic's overrides: every name must be a topic config
    /// (unknown names reported first) and every value valid. On success <paramref name="canonical"/>
    /// holds the values in canonical text and <paramref name="config"/> the effective config.
    /// </summary>
    public ApiError ValidateOverrides(IReadOnlyDictionary<string, string> overrides,
        out Dictionary<string, string> canonical, out LogConfig config)
    {
        canonical = new Dictionary<string, string>(overrides.Count, StringComparer.Ordinal);
        config = defaults.LogConfig;
        foreach (var name in overrides.Keys)
        {
            if (TopicConfigs.Find(name) is null)
            {
                return new ApiError(ErrorCode.InvalidConfig, $"Unknown topic config name: {name}");
            }
        }
        foreach (var (name, raw) in overrides)
        {
            var value = TopicConfigDefaults.Canonicalize(TopicConfigs.Find(name)!, raw, out var error);
            if (value is null)
            {
                return new ApiError(ErrorCode.InvalidConfig, error);
            }
            canonical[name] = value;
        }
        if (!LogConfig.TryCreate(canonical, defaults.LogConfig, out config, out var errors))
        {
            return new ApiError(ErrorCode.InvalidConfig, errors[0].Message);
        }
        return ApiError.None;
    }
}
