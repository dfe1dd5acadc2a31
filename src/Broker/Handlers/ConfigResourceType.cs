namespace KafkaSharp.Broker.Handlers;

/// <summary>Kafka's <c>ConfigResource.Type</c> ids, as DescribeConfigs, AlterConfigs and IncrementalAlterConfigs carry them.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
    ClientMetrics = 16,
    Group = 32,
}
