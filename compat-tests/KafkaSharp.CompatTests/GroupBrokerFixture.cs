namespace KafkaSharp.CompatTests;

/// <summary>
/// A broker for the consumer group tests: Kafka's defaults except a short initial rebalance delay
/// (Kafka's 3 s would only slow every test down) and a lower minimum session timeout, so a member
/// that goes silent is noticed within seconds.
/// </summary>
public sealed class GroupBrokerFixture : BrokerFixture
{
    public const int InitialRebalanceDelayMs = 300;

    public GroupBrokerFixture()
        : base("groups", $"group.initial.rebalance.delay.ms={InitialRebalanceDelayMs}", "group.min.session.timeout.ms=1000")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class GroupBrokerCollection : ICollectionFixture<GroupBrokerFixture>
{
    public const string Name = "group broker";
}
