using System.Buffers.Binary;
using System.Text;
using KafkaSharp.Broker.Groups;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using KafkaSharp.Storage;
using static KafkaSharp.Broker.Tests.Groups.GroupTestContext;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>Groups and offsets written to __consumer_offsets come back after a restart, in Kafka's record format.</summary>
public sealed class GroupPersistenceTests : IAsyncLifetime
{
    private const string Group = "billing";
    private GroupTestContext _context = null!;

    public Task InitializeAsync()
    {
        _context = new GroupTestContext();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private async Task<JoinGroupResponse> StableMemberAsync()
    {
        var join = await _context.StartJoinAsync(Group);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        var joined = await Bounded(join);
        await Bounded(_context.SyncAsync(Group, joined.MemberId, 1,
            [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = [7, 7] }]));
        return joined;
    }

    [Fact]
    public async Task StableGroupAndItsOffsetsSurviveARestart()
    {
        var member = await StableMemberAsync();
        await _context.CommitAsync(CommitRequest(Group, 1, member.MemberId, (Topic, 0, 100, "m0"), (Topic, 1, 200, "m1")));
        await _context.RestartAsync();

        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Stable", described.GroupState);
        var storedMember = Assert.Single(described.Members);
        Assert.Equal(member.MemberId, storedMember.MemberId);
        Assert.Equal(new byte[] { 7, 7 }, storedMember.MemberAssignment);
        Assert.Equal("/127.0.0.1", storedMember.ClientHost);
        Assert.Equal("client", storedMember.ClientId);
        var offsets = await _context.FetchAsync(Group);
        Assert.Equal((100, "m0"), (offsets[(Topic, 0)].CommittedOffset, offsets[(Topic, 0)].Metadata));
        Assert.Equal((200, "m1"), (offsets[(Topic, 1)].CommittedOffset, offsets[(Topic, 1)].Metadata));

        // The member carries on in its generation...
        Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, member.MemberId, 1));
        Assert.Equal(new byte[] { 7, 7 }, (await Bounded(_context.SyncAsync(Group, member.MemberId, 1))).Assignment);
        // ...or, if it does not come back, its session (restarted at load) expires and the group empties.
        await _context.AdvanceAsync(Group, SessionTimeoutMs + 1);
        Assert.Equal("Empty", (await _context.DescribeAsync(Group)).GroupState);

        await _context.RestartAsync();
        described = await _context.DescribeAsync(Group);
        Assert.Equal("Empty", described.GroupState);
        Assert.Equal("consumer", described.ProtocolType);
        Assert.Equal(2, (await _context.FetchAsync(Group)).Count);
        // The next member starts generation 3: the empty generation 2 was stored too.
        var rejoin = await _context.StartJoinAsync(Group);
        await _context.AdvanceAsync(Group, InitialDelayMs);
        Assert.Equal(3, (await Bounded(rejoin)).GenerationId);
    }

    [Fact]
    public async Task DeletedOffsetsAndGroupsStayDeleted()
    {
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 1, null), (Topic, 1, 2, null)));
        await _context.CommitAsync(CommitRequest("doomed", -1, "", (Topic, 0, 3, null)));
        var deleted = await Bounded(_context.Coordinator.DeleteOffsetsAsync(new OffsetDeleteRequest
        {
            GroupId = Group,
            Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = Topic, Partitions = [new() { PartitionIndex = 1 }] }],
        }, CancellationToken.None));
        Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        Assert.Equal(ErrorCode.None, await Bounded(_context.Coordinator.DeleteGroupAsync("doomed", CancellationToken.None)));

        await _context.RestartAsync();
        Assert.Equal(new[] { (Topic, 0) }, (await _context.FetchAsync(Group)).Keys);
        Assert.Empty(await _context.FetchAsync("doomed"));
        Assert.Equal(ErrorCode.GroupIdNotFound, await Bounded(_context.Coordinator.DeleteGroupAsync("doomed", CancellationToken.None)));
    }

    [Fact]
    public async Task UntilItsPartitionIsLoadedAGroupIsToldToRetry()
    {
        var member = await StableMemberAsync();
        await _context.RestartAsync(startLoading: false);
        var coordinator = _context.Coordinator;

        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, (await Bounded(_context.JoinAsync(JoinRequest(Group, member.MemberId)))).ErrorCode);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, (await Bounded(_context.SyncAsync(Group, member.MemberId, 1))).ErrorCode);
        Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, member.MemberId, 1));
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress,
            (await _context.CommitAsync(CommitRequest(Group, 1, member.MemberId, (Topic, 0, 1, null)))).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress,
            (await Bounded(coordinator.FetchOffsetsAsync(Group, null, false, CancellationToken.None))).ErrorCode);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, coordinator.ListGroups([], []).ErrorCode);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, (await Bounded(coordinator.DescribeGroupAsync(Group, CancellationToken.None))).ErrorCode);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await Bounded(coordinator.DeleteGroupAsync(Group, CancellationToken.None)));

        coordinator.StartLoading();
        await coordinator.Loading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, member.MemberId, 1));
        Assert.Equal("Stable", (await _context.DescribeAsync(Group)).GroupState);
    }

    [Fact]
    public async Task RecordsInKafkasOtherVersionsAreRead()
    {
        Assert.Equal(ErrorCode.None, _context.Coordinator.EnsureOffsetsTopic());
        int partition = _context.Coordinator.PartitionFor(Group);
        var log = _context.Topics.Logs.GetLog(new TopicPartition(TopicNames.ConsumerOffsets, partition))!;
        using (var builder = new RecordBatchBuilder())
        {
            // Offset commit key v0 with value v1 (with an expire timestamp), as Kafka before 2.1 wrote them.
            builder.Append(1, OffsetKey(0, Group, Topic, 2), OffsetValueV1(55, "old", 1_000, long.MaxValue));
            // A commit and its tombstone.
            builder.Append(2, OffsetKey(1, Group, Topic, 1), OffsetValueV1(66, "gone", 1_000, long.MaxValue));
            builder.Append(3, OffsetKey(1, Group, Topic, 1), null);
            // Group metadata v4 (the flexible encoding) with a static member.
            builder.Append(4, GroupKey(Group), GroupValueV4("consumer", 5, "range", "static-1", "static-1", "instance-1", [9, 9], [8]));
            byte[] batch = builder.Build();
            Assert.Equal(LogAppendError.None, log.Append(batch, 0).Error);
        }

        await _context.RestartAsync();
        var described = await _context.DescribeAsync(Group);
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("range", described.ProtocolData);
        var member = Assert.Single(described.Members);
        Assert.Equal(("static-1", "instance-1"), (member.MemberId, member.GroupInstanceId));
        Assert.Equal(new byte[] { 9, 9 }, member.MemberMetadata);
        Assert.Equal(new byte[] { 8 }, member.MemberAssignment);
        var offsets = await _context.FetchAsync(Group);
        Assert.Equal((Topic, 2), Assert.Single(offsets.Keys));
        Assert.Equal((55, "old"), (offsets[(Topic, 2)].CommittedOffset, offsets[(Topic, 2)].Metadata));
        Assert.Equal(ErrorCode.None, await _context.HeartbeatAsync(Group, "static-1", 5, "instance-1"));
        Assert.Equal(ErrorCode.FencedInstanceId, await _context.HeartbeatAsync(Group, "static-0", 5, "instance-1"));
    }

    [Fact]
    public async Task RecordsAreWrittenInKafkasFormat()
    {
        await _context.CommitAsync(CommitRequest(Group, -1, "", (Topic, 0, 300, "meta")));
        int partition = _context.Coordinator.PartitionFor(Group);
        var log = _context.Topics.Logs.GetLog(new TopicPartition(TopicNames.ConsumerOffsets, partition))!;
        var read = log.Read(0, int.MaxValue, log.LogEndOffset, minOneMessage: true);
        var bytes = new byte[read.Records.SizeInBytes];
        read.Records.CopyTo(bytes);
        Assert.Equal(RecordBatchHeader.CurrentMagic, RecordBatchHeader.Magic(bytes));
        var status = RecordBatchPayload.Open(bytes, int.MaxValue, out var payload);
        Assert.Equal(DecompressionStatus.Done, status);
        byte[] key, value;
        using (payload)
        {
            var records = payload.GetEnumerator();
            Assert.True(records.MoveNext());
            key = records.Current.Key.ToArray();
            value = records.Current.Value.ToArray();
        }
        Assert.Equal(OffsetKey(1, Group, Topic, 0), key);
        // Value v3: offset, leader epoch, metadata, commit timestamp.
        Assert.Equal(3, BinaryPrimitives.ReadInt16BigEndian(value));
        Assert.Equal(300, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(2)));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(10)));
        Assert.Equal(4, BinaryPrimitives.ReadInt16BigEndian(value.AsSpan(14)));
        Assert.Equal("meta", Encoding.UTF8.GetString(value, 16, 4));
        Assert.Equal(_context.Time.NowMs, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(20)));
        Assert.Equal(28, value.Length);
    }

    [Theory]
    [InlineData("group", 47)]
    [InlineData("smokegroup", 24)]
    [InlineData("test-group", 12)]
    [InlineData("my-consumer-group", 13)]
    [InlineData("", 0)]
    public void GroupsAreSpreadAsKafkaSpreadsThem(string groupId, int partition) =>
        Assert.Equal(partition, GroupStore.PartitionFor(groupId, 50));

    private static byte[] OffsetKey(short version, string group, string topic, int partition) =>
        Concat(Int16(version), String(group), String(topic), Int32(partition));

    private static byte[] OffsetValueV1(long offset, string metadata, long commitTimestamp, long expireTimestamp) =>
        Concat(Int16(1), Int64(offset), String(metadata), Int64(commitTimestamp), Int64(expireTimestamp));

    private static byte[] GroupKey(string group) => Concat(Int16(2), String(group));

    private static byte[] GroupValueV4(string protocolType, int generation, string protocol, string leader, string memberId, string instanceId,
        byte[] subscription, byte[] assignment) =>
        Concat(Int16(4), CompactString(protocolType), Int32(generation), CompactString(protocol), CompactString(leader), Int64(1_000),
            [2], CompactString(memberId), CompactString(instanceId), CompactString("client"), CompactString("/10.0.0.1"), Int32(30_000),
            Int32(SessionTimeoutMs), CompactBytes(subscription), CompactBytes(assignment), [0], [0]);

    private static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] String(string value) => Concat(Int16((short)Encoding.UTF8.GetByteCount(value)), Encoding.UTF8.GetBytes(value));

    /// <summary>Short compact strings and bytes: the length + 1 fits in one varint byte.</summary>
    private static byte[] CompactString(string value) => CompactBytes(Encoding.UTF8.GetBytes(value));

    private static byte[] CompactBytes(byte[] value) => Concat([(byte)(value.Length + 1)], value);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
