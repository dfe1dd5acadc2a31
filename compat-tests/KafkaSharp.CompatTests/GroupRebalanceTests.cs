using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace KafkaSharp.CompatTests;

/// <summary>
/// Confluent.Kafka consumers sharing a 6-partition topic through the classic group protocol: the
/// partitions are split, every record is read exactly once, and when members leave or join the others
/// take over from the committed offsets; with the cooperative-sticky assignor partitions that stay
/// with a member are never revoked.
/// </summary>
[Collection(GroupBrokerCollection.Name)]
public sealed class GroupRebalanceTests(GroupBrokerFixture broker, ITestOutputHelper output)
{
    private const int Partitions = 6;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ConsumerConfig Config(string groupId, PartitionAssignmentStrategy strategy) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = groupId,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        PartitionAssignmentStrategy = strategy,
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

    /// <summary>Produces the next <paramref name="count"/> records of the same sequence (indexes from <paramref name="from"/>).</summary>
    private List<TestRecord> ProduceMore(string topic, string label, int from, int count)
    {
        var records = TestRecord.CreateBatch(from + count, Partitions, label, 1_700_000_000_000).Skip(from).ToList();
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(broker.BootstrapServers), topic, records);
        return records;
    }

    /// <summary>Waits until the members together have read <paramref name="count"/> records, then checks no more arrive.</summary>
    private static List<ConsumeResult<byte[]?, byte[]?>> ReadTogether(IReadOnlyList<GroupConsumer> members, int count)
    {
        var watch = Stopwatch.StartNew();
        while (members.Sum(m => m.Records.Count) < count)
        {
            foreach (var member in members)
            {
                member.ThrowIfFailed();
            }
            Assert.True(watch.Elapsed < Timeout, $"read {members.Sum(m => m.Records.Count)} of {count} records within {Timeout.TotalSeconds} s");
            Thread.Sleep(20);
        }
        Thread.Sleep(1_000);
        var read = new List<ConsumeResult<byte[]?, byte[]?>>();
        foreach (var member in members)
        {
            while (member.Records.TryDequeue(out var record))
            {
                read.Add(record);
            }
        }
        Assert.Equal(count, read.Count);
        return read;
    }

    /// <summary>Every produced record, read once, in order within its partition, from offset <paramref name="firstOffset"/> of each partition on.</summary>
    private static void AssertReadOnce(IReadOnlyList<TestRecord> expected, List<ConsumeResult<byte[]?, byte[]?>> read, long firstOffset)
    {
        for (int partition = 0; partition < Partitions; partition++)
        {
            var produced = expected.Where(r => r.Partition == partition).ToList();
            var consumed = read.Where(r => r.Partition.Value == partition).OrderBy(r => r.Offset.Value).ToList();
            Assert.True(produced.Count == consumed.Count, $"partition {partition}: read {consumed.Count} records, produced {produced.Count}");
            for (int i = 0; i < produced.Count; i++)
            {
                RecordAssert.RecordEqual(produced[i], consumed[i], firstOffset + i);
            }
        }
    }

    [Fact]
    public async Task ThreeMembersSplitTheTopicAndTakeOverWhenOneLeaves()
    {
        const string label = "group-split";
        var groupId = $"group-{Guid.NewGuid():N}";
        var (topic, first) = await TopicWithRecordsAsync(label, 600);
        var watch = Stopwatch.StartNew();
        var members = Enumerable.Range(0, 3)
            .Select(i => new GroupConsumer($"member-{i}", Config(groupId, PartitionAssignmentStrategy.Range), topic))
            .ToList();
        try
        {
            foreach (var member in members)
            {
                member.WaitForAssignment(2);
            }
            output.WriteLine($"3 members stable with 2 partitions each {watch.ElapsedMilliseconds} ms after subscribing " +
                $"(group.initial.rebalance.delay.ms={GroupBrokerFixture.InitialRebalanceDelayMs})");
            Assert.Equal(Enumerable.Range(0, Partitions), members.SelectMany(m => m.Assignment).Select(p => p.Partition.Value).Order());

            AssertReadOnce(first, ReadTogether(members, first.Count), 0);
            await Task.WhenAll(members.Select(m => m.CommitAsync()));

            // member-2 leaves: the others rebalance and take its partitions over from the committed offsets.
            var leaving = members[2];
            var left = leaving.Assignment;
            leaving.Close();
            members.RemoveAt(2);
            foreach (var member in members)
            {
                member.WaitForAssignment(3);
            }
            Assert.Equal(Enumerable.Range(0, Partitions), members.SelectMany(m => m.Assignment).Select(p => p.Partition.Value).Order());
            var second = ProduceMore(topic, label, first.Count, 300);
            var read = ReadTogether(members, second.Count);
            AssertReadOnce(second, read, first.Count / Partitions);
            Assert.All(left, p => Assert.Contains(read, r => r.Partition == p.Partition));
            await Task.WhenAll(members.Select(m => m.CommitAsync()));

            using var admin = KafkaClients.Admin(broker.BootstrapServers);
            var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)]);
            var offsets = Assert.Single(committed).Partitions;
            Assert.Equal(Partitions, offsets.Count);
            Assert.All(offsets, o => Assert.Equal((first.Count + second.Count) / Partitions, o.Offset.Value));
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }

    [Fact]
    public async Task CooperativeMembersKeepThePartitionsThatStay()
    {
        const string label = "group-cooperative";
        var groupId = $"group-{Guid.NewGuid():N}";
        var (topic, first) = await TopicWithRecordsAsync(label, 600);
        var config = Config(groupId, PartitionAssignmentStrategy.CooperativeSticky);
        var members = new List<GroupConsumer> { new("member-0", config, topic), new("member-1", config, topic) };
        try
        {
            foreach (var member in members)
            {
                member.WaitForAssignment(3);
            }
            AssertReadOnce(first, ReadTogether(members, first.Count), 0);
            await Task.WhenAll(members.Select(m => m.CommitAsync()));
            var before = members.Select(m => m.Assignment).ToList();

            // A third member joins: each of the first two gives up exactly one partition and keeps the other two.
            members.Add(new GroupConsumer("member-2", config, topic));
            foreach (var member in members)
            {
                member.WaitForAssignment(2);
            }
            for (int i = 0; i < 2; i++)
            {
                var revoked = members[i].Revoked.SelectMany(r => r).ToList();
                Assert.True(revoked.Count == 1, $"{members[i].Name} revoked {GroupConsumer.Show(revoked)} of {GroupConsumer.Show(before[i])}");
                Assert.Subset(before[i].ToHashSet(), members[i].Assignment.ToHashSet());
                Assert.Empty(members[i].Lost);
            }
            var second = ProduceMore(topic, label, first.Count, 300);
            AssertReadOnce(second, ReadTogether(members, second.Count), first.Count / Partitions);
            await Task.WhenAll(members.Select(m => m.CommitAsync()));

            // member-0 leaves: the remaining two only gain partitions.
            var kept = members.Skip(1).Select(m => (Member: m, Revoked: m.Revoked.Count, Assignment: m.Assignment)).ToList();
            members[0].Close();
            members[0].Dispose();
            members.RemoveAt(0);
            foreach (var member in members)
            {
                member.WaitForAssignment(3);
            }
            foreach (var (member, revokedBefore, assignment) in kept)
            {
                Assert.True(member.Revoked.Count == revokedBefore, $"{member.Name} had partitions revoked when member-0 left");
                Assert.Subset(member.Assignment.ToHashSet(), assignment.ToHashSet());
            }
            var third = ProduceMore(topic, label, first.Count + second.Count, 300);
            AssertReadOnce(third, ReadTogether(members, third.Count), (first.Count + second.Count) / Partitions);
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }
}
