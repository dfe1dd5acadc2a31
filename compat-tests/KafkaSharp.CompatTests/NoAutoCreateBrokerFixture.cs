namespace KafkaSharp.CompatTests;

/// <summary>A broker that does not create topics on metadata or produce requests for unknown topics.</summary>
public sealed class NoAutoCreateBrokerFixture : BrokerFixture
{
    public NoAutoCreateBrokerFixture()
        : base("no-auto-create", "auto.create.topics.enable=false")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class NoAutoCreateBrokerCollection : ICollectionFixture<NoAutoCreateBrokerFixture>
{
    public const string Name = "no-auto-create broker";
}
