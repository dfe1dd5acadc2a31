using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// The start of <see cref="TopicRegistry"/>: the stored topic list, read and checked, then brought
/// in line with the partition logs found on disk. Differences are repaired, never resolved by
/// deleting data: logs beyond a topic's partition count raise it, logs of topics the list does not
/// name become topics (with their own topic id when their <c>partition.metadata</c> has one).
/// </summary>
internal static partial class TopicLoader
{
    /// <summary>The stored topics, each checked as when it was created.</summary>
    /// <exception cref="InvalidDataException">The list is damaged or holds a topic that is not valid.</exception>
    public static Dictionary<string, TopicInfo> Load(TopicMetadataStore store, TopicValidator validator)
    {
        var topics = new Dictionary<string, TopicInfo>(StringComparer.Ordinal);
        var ids = new HashSet<KafkaUuid>();
        foreach (var stored in store.Load())
        {
            if (TopicNames.Validate(stored.Name) is { } reason)
            {
                throw new InvalidDataException($"{store.Path}: {reason}");
            }
            if (stored.PartitionCount < 1 || stored.TopicId.IsZero || !ids.Add(stored.TopicId) || topics.ContainsKey(stored.Name))
            {
                throw new InvalidDataException($"{store.Path}: topic {stored.Name} has a duplicate name or id, or no partitions");
            }
            var error = validator.ValidateOverrides(stored.Configs, out var overrides, out var config);
            if (error.IsFailure)
            {
                throw new InvalidDataException($"{store.Path}: topic {stored.Name}: {error.Message}");
            }
            topics[stored.Name] = new TopicInfo(stored.Name, stored.TopicId, stored.PartitionCount, overrides, config);
        }
        return topics;
    }

    /// <summary>
    /// Brings the topic list in line with the logs found on disk: partitions beyond a topic's count
    /// raise it, logs of unknown topics become topics. True when the list changed.
    /// </summary>
    /// <exception cref="InvalidDataException">A log belongs to another topic id than the list says, or has an illegal topic name.</exception>
    public static bool Reconcile(Dictionary<string, TopicInfo> topics, LogManager logs, LogConfig defaultConfig, ILogger logger)
    {
        var strays = new Dictionary<string, (int PartitionCount, KafkaUuid TopicId)>(StringComparer.Ordinal);
        var changed = false;
        foreach (var log in logs.Logs)
        {
            var (name, partition) = log.TopicPartition;
            if (topics.TryGetValue(name, out var topic))
            {
                if (!log.TopicId.IsZero && log.TopicId != topic.TopicId)
                {
                    throw new InvalidDataException(
                        $"The log {log.Directory} belongs to topic id {log.TopicId}, but the topic list gives {name} the id {topic.TopicId}");
                }
                if (partition >= topic.PartitionCount)
                {
                    LogPartitionAdopted(logger, log.TopicPartition.ToString(), topic.PartitionCount);
                    topics[name] = new TopicInfo(name, topic.TopicId, partition + 1, topic.Overrides, topic.Config);
                    changed = true;
                }
                continue;
            }
            if (TopicNames.Validate(name) is { } reason)
            {
                throw new InvalidDataException($"The log {log.Directory} has an illegal topic name: {reason}");
            }
            var (count, topicId) = strays.GetValueOrDefault(name);
            if (!log.TopicId.IsZero && !topicId.IsZero && log.TopicId != topicId)
            {
                throw new InvalidDataException($"The logs of topic {name} name different topic ids ({topicId}, {log.TopicId})");
            }
            strays[name] = (Math.Max(count, partition + 1), log.TopicId.IsZero ? topicId : log.TopicId);
        }
        foreach (var (name, (count, storedId)) in strays)
        {
            var topicId = storedId.IsZero ? KafkaUuid.NewRandom() : storedId;
            LogTopicAdopted(logger, name, topicId, count);
            topics[name] = new TopicInfo(name, topicId, count, new Dictionary<string, string>(StringComparer.Ordinal), defaultConfig);
            changed = true;
        }
        return changed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Found log {Partition} beyond the topic's {PartitionCount} partitions; the partition count is raised to include it")]
    private static partial void LogPartitionAdopted(ILogger logger, string partition, int partitionCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Found logs of topic {Topic}, which the topic list does not name; it is kept as a topic with topic id {TopicId} and {PartitionCount} partitions")]
    private static partial void LogTopicAdopted(ILogger logger, string topic, KafkaUuid topicId, int partitionCount);
}
