using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace KafkaSharp.CompatTests;

/// <summary>
/// Group membership with real clients: a static member restarting without a rebalance, a member that
/// vanishes being removed after its session timeout, and committed offsets surviving broker restarts
/// (clean and SIGKILL).
/// </summary>
[Collection(GroupBrokerCollection.Name)]
public sealed class GroupMembershipTests(GroupBrokerFixture broker, ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ConsumerConfig Config(string groupId, string? groupInstanceId = null, int sessionTimeoutMs = 10_000) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = groupId,
        GroupInstanceId = groupInstanceId,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
        SessionTimeoutMs = sessionTimeoutMs,
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

    private static List<TestRecord> ProduceMore(string bootstrapServers, string topic, string label, int from, int count)
    {
        var records = TestRecord.CreateBatch(from + count, Partitions, label, 1_700_000_000_000).Skip(from).ToList();
        KafkaClients.ProduceAll(KafkaClients.ProducerConfig(bootstrapServers), topic, records);
        return records;
    }

    /// <summary>Waits for <paramref name="count"/> records of <paramref name="member"/> and checks they are the expected ones, once each.</summary>
    private static void ReadExactly(GroupConsumer member, IReadOnlyList<TestRecord> expected, long firstOffset, IEnumerable<int> partitions)
    {
        var wanted = partitions.ToHashSet();
        var expectedHere = expected.Where(r => wanted.Contains(r.Partition)).ToList();
        var watch = Stopwatch.StartNew();
        while (member.Records.Count < expectedHere.Count)
        {
            member.ThrowIfFailed();
            Assert.True(watch.Elapsed < Timeout, $"{member.Name} read {member.Records.Count} of {expectedHere.Count} records");
            Thread.Sleep(20);
        }
        Thread.Sleep(500);
        var read = new List<ConsumeResult<byte[]?, byte[]?>>();
        while (member.Records.TryDequeue(out var record))
        {
            read.Add(record);
        }
        Assert.Equal(expectedHere.Count, read.Count);
        foreach (int partition in wanted)
        {
            var produced = expectedHere.Where(r => r.Partition == partition).ToList();
            var consumed = read.Where(r => r.Partition.Value == partition).OrderBy(r => r.Offset.Value).ToList();
            Assert.Equal(produced.Count, consumed.Count);
            for (int i = 0; i < produced.Count; i++)
            {
                RecordAssert.RecordEqual(produced[i], consumed[i], firstOffset + i);
            }
        }
    }

    [Fact]
    public async Task StaticMemberRestartsWithoutARebalance()
    {
        const string label = "group-static";
        var groupId = $"group-{Guid.NewGuid():N}";
        var (topic, first) = await TopicWithRecordsAsync(label, 200);
        using var stayer = new GroupConsumer("static-a", Config(groupId, "instance-a"), topic);
        var restarter = new GroupConsumer("static-b", Config(groupId, "instance-b"), topic);
        try
        {
            stayer.WaitForAssignment(2);
            restarter.WaitForAssignment(2);
            var stayerPartitions = stayer.Assignment.Select(p => p.Partition.Value).ToList();
            var restarterPartitions = restarter.Assignment.Select(p => p.Partition.Value).ToList();
            ReadExactly(stayer, first, 0, stayerPartitions);
            ReadExactly(restarter, first, 0, restarterPartitions);
            await Task.WhenAll(stayer.CommitAsync(), restarter.CommitAsync());
            int stayerRevocations = stayer.Revoked.Count;
            string oldMemberId = restarter.MemberId;

            // A static member closing does not leave the group; restarted within its session it takes its place back.
            restarter.Close();
            restarter.Dispose();
            var watch = Stopwatch.StartNew();
            restarter = new GroupConsumer("static-b-restarted", Config(groupId, "instance-b"), topic);
            restarter.WaitForAssignment(2);
            output.WriteLine($"static member back with its partitions {watch.ElapsedMilliseconds} ms after restarting");
            Assert.Equal(restarterPartitions, restarter.Assignment.Select(p => p.Partition.Value));
            Assert.NotEqual(oldMemberId, restarter.MemberId);
            Assert.StartsWith("instance-b-", restarter.MemberId);

            var second = ProduceMore(broker.BootstrapServers, topic, label, first.Count, 100);
            ReadExactly(restarter, second, first.Count / Partitions, restarterPartitions);
            ReadExactly(stayer, second, first.Count / Partitions, stayerPartitions);
            Assert.True(stayer.Revoked.Count == stayerRevocations, "the member that stayed had its partitions revoked");
            Assert.Equal(stayerPartitions, stayer.Assignment.Select(p => p.Partition.Value));

            using var admin = KafkaClients.Admin(broker.BootstrapServers);
            var group = Assert.Single((await admin.DescribeConsumerGroupsAsync([groupId])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, group.State);
            Assert.Equal(new[] { "instance-a", "instance-b" }, group.Members.Select(m => m.GroupInstanceId).Order());
        }
        finally
        {
            restarter.Dispose();
        }
    }

    [Fact]
    public async Task MemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout()
    {
        const string label = "group-silent";
        const int sessionTimeoutMs = 6_000;
        var groupId = $"group-{Guid.NewGuid():N}";
        var (topic, first) = await TopicWithRecordsAsync(label, 200);
        using var survivor = new GroupConsumer("survivor", Config(groupId, sessionTimeoutMs: sessionTimeoutMs), topic);
        survivor.WaitForAssignment(Partitions);
        ReadExactly(survivor, first, 0, Enumerable.Range(0, Partitions));
        await survivor.CommitAsync();

        // kcat joins the group in another process; SIGKILL leaves it no chance to say goodbye.
        var kcat = Process.Start(new ProcessStartInfo("kcat")
        {
            ArgumentList = { "-b", broker.BootstrapServers, "-G", groupId, "-X", $"session.timeout.ms={sessionTimeoutMs}", "-X", "heartbeat.interval.ms=500",
                "-X", "enable.auto.commit=false", "-q", topic },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            survivor.WaitForAssignment(2);
            var taken = Enumerable.Range(0, Partitions).Except(survivor.Assignment.Select(p => p.Partition.Value)).ToList();
            kcat.Kill(entireProcessTree: true);
            await kcat.WaitForExitAsync();
            var watch = Stopwatch.StartNew();
            survivor.WaitForAssignment(Partitions);
            output.WriteLine($"the killed member's partitions came back {watch.ElapsedMilliseconds} ms after SIGKILL (session timeout {sessionTimeoutMs} ms)");
            Assert.True(watch.ElapsedMilliseconds >= sessionTimeoutMs - 1_500, $"partitions came back after {watch.ElapsedMilliseconds} ms, before the session timeout");

            var second = ProduceMore(broker.BootstrapServers, topic, label, first.Count, 100);
            ReadExactly(survivor, second, first.Count / Partitions, Enumerable.Range(0, Partitions));
            Assert.NotEmpty(taken);
        }
        finally
        {
            if (!kcat.HasExited)
            {
                kcat.Kill(entireProcessTree: true);
            }
            kcat.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CommittedOffsetsSurviveABrokerRestart(bool kill)
    {
        var label = kill ? "group-kill" : "group-restart";
        var groupId = $"group-{Guid.NewGuid():N}";
        var (topic, first) = await TopicWithRecordsAsync(label, 200);
        using (var member = new GroupConsumer("before", Config(groupId), topic))
        {
            member.WaitForAssignment(Partitions);
            ReadExactly(member, first, 0, Enumerable.Range(0, Partitions));
            await member.CommitAsync();
            member.Close();
        }

        if (kill)
        {
            broker.KillAndRestart();
        }
        else
        {
            broker.Restart();
        }

        var second = ProduceMore(broker.BootstrapServers, topic, label, first.Count, 100);
        using var resumed = new GroupConsumer("after", Config(groupId), topic);
        resumed.WaitForAssignment(Partitions);
        ReadExactly(resumed, second, first.Count / Partitions, Enumerable.Range(0, Partitions));
    }
}
