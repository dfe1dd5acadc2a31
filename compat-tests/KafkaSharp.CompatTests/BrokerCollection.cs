namespace KafkaSharp.CompatTests;

/// <summary>Tests that share one broker with Kafka's default configuration.</summary>
[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
