using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>
/// AdminClient cluster calls: DescribeCluster, DescribeTopics, and the ACL calls that a broker without
/// an authorizer refuses with SECURITY_DISABLED, as Kafka does. librdkafka's protocol debug log shows
/// which request each call sent.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterAdminTests(BrokerFixture broker)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DescribeClusterReportsThisBrokerAsMetadataDoes()
    {
        var sent = new ConcurrentQueue<string>();
        using var admin = TracedAdmin(sent);
        var metadata = admin.GetMetadata(Timeout);
        var metadataBroker = Assert.Single(metadata.Brokers);

        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions
        {
            IncludeAuthorizedOperations = true,
            RequestTimeout = Timeout,
        });

        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(metadataBroker.BrokerId, node.Id);
        Assert.Equal("127.0.0.1", node.Host);
        Assert.Equal(broker.Port, node.Port);
        Assert.Null(node.Rack);
        Assert.Equal(node.Id, cluster.Controller.Id);
        // No authorizer: every operation Kafka supports on the cluster.
        Assert.Equal(
            [AclOperation.Create, AclOperation.Alter, AclOperation.Describe, AclOperation.ClusterAction,
                AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite],
            cluster.AuthorizedOperations.Order());
        // librdkafka 2.12 describes the cluster with Metadata v10 (the last version with cluster
        // operations), not DescribeCluster; the Java AdminClient uses DescribeCluster (DescribeClusterHandlerTests).
        Assert.Contains(sent, line => line.Contains("MetadataRequest (v10", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, line => line.Contains("DescribeClusterRequest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeClusterIdIsTheOneInMetaProperties()
    {
        using var admin = KafkaClients.Admin(broker.BootstrapServers);

        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = Timeout });

        // Metadata answers with the same id (MetadataHandlerTests); Confluent.Kafka's Metadata does not expose it.
        var clusterIdLine = File.ReadAllLines(Path.Combine(broker.DataDirectory, "meta.properties"))
            .Single(line => line.StartsWith("cluster.id=", StringComparison.Ordinal));
        Assert.Equal(clusterIdLine["cluster.id=".Length..], cluster.ClusterId);
        Assert.Null(cluster.AuthorizedOperations);
    }

    [Fact]
    public async Task DescribeTopicsListsEveryPartitionLedByTheBroker()
    {
        var topic = $"cluster-describe-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 3);
        var sent = new ConcurrentQueue<string>();
        using var admin = TracedAdmin(sent);
        var missing = $"cluster-missing-{Guid.NewGuid():N}";

        var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]),
            new DescribeTopicsOptions { IncludeAuthorizedOperations = true, RequestTimeout = Timeout });

        var description = Assert.Single(described.TopicDescriptions);
        Assert.Equal(topic, description.Name);
        Assert.Equal(ErrorCode.NoError, description.Error.Code);
        Assert.False(description.IsInternal);
        Assert.False(description.TopicId.MostSignificantBits == 0 && description.TopicId.LeastSignificantBits == 0);
        Assert.Contains(AclOperation.Read, description.AuthorizedOperations);
        Assert.Equal([0, 1, 2], description.Partitions.Select(p => p.Partition).Order());
        foreach (var partition in description.Partitions)
        {
            Assert.Equal(broker.Port, partition.Leader.Port);
            Assert.Equal([partition.Leader.Id], partition.Replicas.Select(r => r.Id));
            Assert.Equal([partition.Leader.Id], partition.ISR.Select(r => r.Id));
        }
        // librdkafka 2.12 describes topics with a Metadata request, not DescribeTopicPartitions.
        Assert.Contains(sent, line => line.Contains("MetadataRequest", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, line => line.Contains("DescribeTopicPartitions", StringComparison.Ordinal));

        var failure = await Assert.ThrowsAsync<DescribeTopicsException>(() =>
            admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([missing]), new DescribeTopicsOptions { RequestTimeout = Timeout }));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(failure.Results.TopicDescriptions).Error.Code);
    }

    [Fact]
    public async Task AclChangesAreRefusedWithSecurityDisabled()
    {
        var sent = new ConcurrentQueue<string>();
        using var admin = TracedAdmin(sent);
        var filter = new AclBindingFilter
        {
            PatternFilter = new ResourcePatternFilter { Type = ResourceType.Any, ResourcePatternType = ResourcePatternType.Any },
            EntryFilter = new AccessControlEntryFilter { Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
        };
        // The broker answers SECURITY_DISABLED (AclHandlersTests), but librdkafka 2.12 reads DescribeAcls'
        // top-level error and drops it, reporting no ACLs; it does so against Kafka too.
        var described = await admin.DescribeAclsAsync(filter);
        Assert.Empty(described.AclBindings);
        Assert.Contains(sent, line => line.Contains("DescribeAclsRequest", StringComparison.Ordinal));

        var binding = new AclBinding
        {
            Pattern = new ResourcePattern { Type = ResourceType.Topic, Name = "orders", ResourcePatternType = ResourcePatternType.Literal },
            Entry = new AccessControlEntry
            {
                Principal = "User:alice", Host = "*", Operation = AclOperation.Read, PermissionType = AclPermissionType.Allow,
            },
        };
        var create = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([binding]));
        Assert.Equal(ErrorCode.SecurityDisabled, Assert.Single(create.Results).Error.Code);

        var delete = await Assert.ThrowsAsync<DeleteAclsException>(() => admin.DeleteAclsAsync([filter]));
        Assert.Equal(ErrorCode.SecurityDisabled, Assert.Single(delete.Results).Error.Code);
    }

    private IAdminClient TracedAdmin(ConcurrentQueue<string> sent) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers, SocketTimeoutMs = 15_000, Debug = "protocol" })
            .SetLogHandler((_, message) =>
            {
                if (message.Message.Contains("Sent ", StringComparison.Ordinal))
                {
                    sent.Enqueue(message.Message);
                }
            })
            .Build();
}
