using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage;

/// <summary>What the broker must remember about a topic across restarts: its id, partition count and config overrides.</summary>
public sealed record TopicMetadata(string Name, KafkaUuid TopicId, int PartitionCount, IReadOnlyDictionary<string, string> Configs);
