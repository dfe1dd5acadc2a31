using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.CompatTests;

/// <summary>
/// The AdminClient's group operations against groups real consumers formed: listing, describing,
/// reading, altering and deleting committed offsets, deleting groups; each checked by where a
/// consumer of the group then starts reading.
/// </summary>
[Collection(GroupBrokerCollection.Name)]
public sealed class GroupAdminTests(GroupBrokerFixture broker)
{
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ConsumerConfig Config(string groupId) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = groupId,
        ClientId = "admin-test-consumer",
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 500,
    };

    private async Task<(string Topic, List<TestRecord> Records)> TopicWithRecordsAsync(string label, int count)
    {
        var topic = $"{label}-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        var records = TestRecord.CreateBatch(count, Partitions, label, 1_700_000_000_000);
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, records);
        return (topic, records);
    }

    /// <summary>Runs a member until it has read <paramref name="count"/> records; returns them by partition.</summary>
    private List<ConsumeResult<byte[]?, byte[]?>>[] ReadWithNewMember(string groupId, string topic, int count, bool commit)
    {
        using var member = new GroupConsumer("reader", Config(groupId), topic);
        var deadline = DateTime.UtcNow + Timeout;
        while (member.Records.Count < count)
        {
            member.ThrowIfFailed();
            Assert.True(DateTime.UtcNow < deadline, $"read {member.Records.Count} of {count} records");
            Thread.Sleep(20);
        }
        Thread.Sleep(500);
        if (commit)
        {
            member.CommitAsync().GetAwaiter().GetResult();
        }
        member.Close();
        var read = Enumerable.Range(0, Partitions).Select(_ => new List<ConsumeResult<byte[]?, byte[]?>>()).ToArray();
        foreach (var record in member.Records)
        {
            read[record.Partition.Value].Add(record);
        }
        Assert.Equal(count, read.Sum(r => r.Count));
        return read;
    }

    [Fact]
    public async Task ListAndDescribeGroupsOfRunningConsumers()
    {
        var (topic, _) = await TopicWithRecordsAsync("admin-describe", 30);
        var groupId = $"group-{Guid.NewGuid():N}";
        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        using (var first = new GroupConsumer("first", Config(groupId), topic))
        using (var second = new GroupConsumer("second", Config(groupId), topic))
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (first.Assignment.Length + second.Assignment.Length != Partitions || first.Assignment.Length == 0 || second.Assignment.Length == 0)
            {
                first.ThrowIfFailed();
                second.ThrowIfFailed();
                Assert.True(DateTime.UtcNow < deadline, "the two members did not share the partitions");
                Thread.Sleep(20);
            }

            var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchStates = [ConsumerGroupState.Stable] });
            var ours = Assert.Single(listed.Valid, g => g.GroupId == groupId);
            Assert.Equal(ConsumerGroupState.Stable, ours.State);
            Assert.False(ours.IsSimpleConsumerGroup);
            Assert.DoesNotContain(
                (await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchStates = [ConsumerGroupState.Empty] })).Valid,
                g => g.GroupId == groupId);

            var described = Assert.Single((await admin.DescribeConsumerGroupsAsync([groupId],
                new DescribeConsumerGroupsOptions { IncludeAuthorizedOperations = true })).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            Assert.Equal("range", described.PartitionAssignor);
            Assert.Equal(broker.Port, described.Coordinator.Port);
            Assert.Contains(AclOperation.Read, described.AuthorizedOperations);
            Assert.Equal(new[] { first.MemberId, second.MemberId }.Order(), described.Members.Select(m => m.ConsumerId).Order());
            Assert.All(described.Members, m => Assert.Equal(("admin-test-consumer", "/127.0.0.1"), (m.ClientId, m.Host)));
            var byMember = described.Members.ToDictionary(m => m.ConsumerId, m => m.Assignment.TopicPartitions.Select(p => p.Partition.Value).Order().ToList());
            Assert.Equal(first.Assignment.Select(p => p.Partition.Value), byMember[first.MemberId]);
            Assert.Equal(second.Assignment.Select(p => p.Partition.Value), byMember[second.MemberId]);
        }

        // Both members left: the group is Empty, and still listed.
        var empty = Assert.Single((await admin.DescribeConsumerGroupsAsync([groupId])).ConsumerGroupDescriptions);
        Assert.Equal(ConsumerGroupState.Empty, empty.State);
        Assert.Empty(empty.Members);
        Assert.Contains((await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchStates = [ConsumerGroupState.Empty] })).Valid,
            g => g.GroupId == groupId);
    }

    [Fact]
    public async Task OffsetsAreListedAlteredAndDeleted()
    {
        var (topic, records) = await TopicWithRecordsAsync("admin-offsets", 90);
        var groupId = $"group-{Guid.NewGuid():N}";
        ReadWithNewMember(groupId, topic, records.Count, commit: true);
        using var admin = KafkaClients.Admin(broker.BootstrapServers);

        var listed = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)]));
        Assert.Equal(Enumerable.Range(0, Partitions), listed.Partitions.Select(p => p.Partition.Value).Order());
        Assert.All(listed.Partitions, p => Assert.Equal(30, p.Offset.Value));

        // The group starts again at offset 10 of partition 0 and 20 of partition 1 (partition 2 stays at its end).
        var altered = await admin.AlterConsumerGroupOffsetsAsync(
        [
            new ConsumerGroupTopicPartitionOffsets(groupId,
            [
                new TopicPartitionOffset(topic, 0, 10),
                new TopicPartitionOffset(topic, 1, 20),
            ]),
        ]);
        Assert.All(Assert.Single(altered).Partitions, p => Assert.False(p.Error.IsError));
        var queried = Assert.Single(await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(groupId, [new TopicPartition(topic, 0), new TopicPartition(topic, 1)])]));
        Assert.Equal(new[] { 10L, 20L }, queried.Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));

        var reread = ReadWithNewMember(groupId, topic, 20 + 10, commit: true);
        var expected = records.Where(r => r.Partition == 0).ToList();
        Assert.Equal(20, reread[0].Count);
        for (int i = 0; i < 20; i++)
        {
            RecordAssert.RecordEqual(expected[10 + i], reread[0][i], 10 + i);
        }
        Assert.Equal(10, reread[1].Count);
        Assert.Empty(reread[2]);

        // Deleting partition 2's offset makes the next member start it from the beginning (auto.offset.reset=earliest).
        var deleted = await admin.DeleteConsumerGroupOffsetsAsync(groupId, [new TopicPartition(topic, 2)]);
        Assert.Equal(groupId, deleted.Group);
        var afterDelete = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)]));
        Assert.Equal(new[] { 0, 1 }, afterDelete.Partitions.Select(p => p.Partition.Value).Order());
        var fromStart = ReadWithNewMember(groupId, topic, 30, commit: false);
        Assert.Equal(30, fromStart[2].Count);
        Assert.Equal(0, fromStart[2][0].Offset.Value);
    }

    [Fact]
    public async Task OffsetsOfATopicTheGroupConsumesAreNotDeleted()
    {
        var (topic, records) = await TopicWithRecordsAsync("admin-subscribed", 30);
        var groupId = $"group-{Guid.NewGuid():N}";
        using var member = new GroupConsumer("subscriber", Config(groupId), topic);
        member.WaitForAssignment(Partitions);
        while (member.Records.Count < records.Count)
        {
            member.ThrowIfFailed();
            Thread.Sleep(20);
        }
        await member.CommitAsync();
        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        var error = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(
            () => admin.DeleteConsumerGroupOffsetsAsync(groupId, [new TopicPartition(topic, 0)]));
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, Assert.Single(error.Result.Partitions).Error.Code);
        var offsets = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)]));
        Assert.All(offsets.Partitions, p => Assert.Equal(10, p.Offset.Value));
    }

    [Fact]
    public async Task GroupsAreDeletedOnlyWhenEmpty()
    {
        var (topic, records) = await TopicWithRecordsAsync("admin-delete", 30);
        var groupId = $"group-{Guid.NewGuid():N}";
        using var admin = KafkaClients.Admin(broker.BootstrapServers);
        using (var member = new GroupConsumer("member", Config(groupId), topic))
        {
            member.WaitForAssignment(Partitions);
            while (member.Records.Count < records.Count)
            {
                member.ThrowIfFailed();
                Thread.Sleep(20);
            }
            await member.CommitAsync();
            var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([groupId]));
            Assert.Equal(ErrorCode.NonEmptyGroup, Assert.Single(refused.Results).Error.Code);
            member.Close();
        }

        await admin.DeleteGroupsAsync([groupId]);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == groupId);
        var offsets = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)]));
        Assert.Empty(offsets.Partitions);
        var missing = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([groupId]));
        Assert.Equal(ErrorCode.GroupIdNotFound, Assert.Single(missing.Results).Error.Code);

        // A new member of the deleted group starts from the beginning again.
        var reread = ReadWithNewMember(groupId, topic, records.Count, commit: false);
        Assert.All(reread, partition => Assert.Equal(0, partition[0].Offset.Value));
    }
}
