using KafkaSharp.Broker.Groups;
using KafkaSharp.Broker.Tests.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using static KafkaSharp.Broker.Tests.Groups.GroupTestContext;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>The group's own invariants: Kafka's state transitions, protocol support and vote, leadership, static members.</summary>
public sealed class ClassicGroupTests
{
    private readonly ManualTimeProvider _time = new();

    private ClassicGroup NewGroup() => new("group", _time, NullLogger.Instance);

    private static ClassicGroupMember Member(string memberId, List<JoinGroupRequest.JoinGroupRequestProtocol> protocols, string? instanceId = null) =>
        new(memberId, instanceId, "client", "/127.0.0.1", 30_000, 10_000, "consumer", protocols);

    [Theory]
    [InlineData("Empty", "PreparingRebalance", true)]
    [InlineData("Stable", "PreparingRebalance", true)]
    [InlineData("CompletingRebalance", "PreparingRebalance", true)]
    [InlineData("PreparingRebalance", "CompletingRebalance", true)]
    [InlineData("PreparingRebalance", "Empty", true)]
    [InlineData("CompletingRebalance", "Stable", true)]
    [InlineData("Stable", "Dead", true)]
    [InlineData("Empty", "Stable", false)]
    [InlineData("Empty", "CompletingRebalance", false)]
    [InlineData("Stable", "Empty", false)]
    [InlineData("PreparingRebalance", "Stable", false)]
    [InlineData("PreparingRebalance", "PreparingRebalance", false)]
    public void TransitionsAreKafkas(string from, string to, bool allowed) =>
        Assert.Equal(allowed, ClassicGroupStates.CanTransition(Enum.Parse<ClassicGroupState>(from), Enum.Parse<ClassicGroupState>(to)));

    [Fact]
    public void StatesHaveKafkasNames() =>
        Assert.Equal(new[] { "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead" },
            Enum.GetValues<ClassicGroupState>().Select(s => s.ToKafkaName()));

    [Fact]
    public void AGenerationGoesThroughTheStatesInOrder()
    {
        var group = NewGroup();
        Assert.Throws<InvalidOperationException>(() => group.TransitionTo(ClassicGroupState.Stable));
        long before = group.CurrentStateTimestampMs;
        _time.Advance(TimeSpan.FromSeconds(1));
        group.Add(Member("m1", RangeProtocol(Topic)), null);
        group.TransitionTo(ClassicGroupState.PreparingRebalance);
        Assert.Equal(before + 1_000, group.CurrentStateTimestampMs);
        group.InitNextGeneration();
        Assert.Equal((ClassicGroupState.CompletingRebalance, 1, "range"), (group.State, group.GenerationId, group.ProtocolName));
        Assert.True(group.IsSubscribedToTopic(Topic));
        Assert.False(group.IsSubscribedToTopic("other"));
        group.TransitionTo(ClassicGroupState.Stable);
        group.TransitionTo(ClassicGroupState.PreparingRebalance);
        group.Remove("m1");
        group.InitNextGeneration();
        Assert.Equal((ClassicGroupState.Empty, 2, null), (group.State, group.GenerationId, group.ProtocolName));
        Assert.Equal("consumer", group.ProtocolType);
    }

    [Fact]
    public void AnEmptyGroupTakesAnyProtocolAndThenOnlyOnesEveryMemberSupports()
    {
        var group = NewGroup();
        Assert.False(group.SupportsProtocols("", RangeProtocol(Topic)));
        Assert.False(group.SupportsProtocols("consumer", []));
        Assert.True(group.SupportsProtocols("consumer", Protocols(("anything", []))));
        group.Add(Member("m1", Protocols(("range", []), ("roundrobin", []))), null);
        group.TransitionTo(ClassicGroupState.PreparingRebalance);
        Assert.True(group.SupportsProtocols("consumer", Protocols(("roundrobin", []))));
        Assert.False(group.SupportsProtocols("consumer", Protocols(("sticky", []))));
        Assert.False(group.SupportsProtocols("connect", Protocols(("range", []))));
    }

    [Fact]
    public void TheVoteGoesToTheCommonProtocolMostMembersPrefer()
    {
        var group = NewGroup();
        group.Add(Member("m1", Protocols(("sticky", []), ("roundrobin", []), ("range", []))), null);
        group.Add(Member("m2", Protocols(("roundrobin", []), ("range", []))), null);
        group.Add(Member("m3", Protocols(("range", []), ("roundrobin", []))), null);
        Assert.Equal("roundrobin", group.SelectProtocol());
        // A tie between the two common protocols: either may win, never one that m3 lacks.
        group.Remove("m2");
        Assert.Contains(group.SelectProtocol(), new[] { "range", "roundrobin" });
    }

    [Fact]
    public void LeadershipPassesToAMemberThatRejoined()
    {
        var group = NewGroup();
        group.Add(Member("m1", RangeProtocol(Topic)), null);
        group.Add(Member("m2", RangeProtocol(Topic)), null);
        Assert.Equal("m1", group.LeaderId);
        Assert.False(group.MaybeElectNewJoinedLeader());
        group.SetAwaitingJoin(group.Get("m2"), new TaskCompletionSource<JoinGroupResponse>());
        Assert.Equal(1, group.MembersAwaitingJoin);
        Assert.True(group.MaybeElectNewJoinedLeader());
        Assert.Equal("m2", group.LeaderId);
        group.Remove("m2");
        Assert.Equal("m1", group.LeaderId);
        Assert.Equal(0, group.MembersAwaitingJoin);
        group.Remove("m1");
        Assert.Null(group.LeaderId);
    }

    [Fact]
    public void StaticMembersAreKnownByInstanceIdAndFenceOldMemberIds()
    {
        var group = NewGroup();
        group.Add(Member("a-1", RangeProtocol(Topic), "a"), null);
        Assert.Throws<InvalidOperationException>(() => group.Add(Member("a-2", RangeProtocol(Topic), "a"), null));
        Assert.Equal(ErrorCode.None, group.ValidateMember("a-1", "a"));
        group.ReplaceStaticMember("a", "a-1", "a-2");
        Assert.Equal("a-2", group.StaticMemberId("a"));
        Assert.Equal("a-2", group.LeaderId);
        Assert.Equal(ErrorCode.FencedInstanceId, group.ValidateMember("a-1", "a"));
        Assert.Equal(ErrorCode.UnknownMemberId, group.ValidateMember("a-2", "b"));
        Assert.Equal(ErrorCode.UnknownMemberId, group.ValidateMember("a-1", null));
        Assert.Equal(ErrorCode.None, group.ValidateMember("a-2", null));
    }

    [Fact]
    public void MemberIdsAreClientOrInstanceIdAndAUuid()
    {
        Assert.Matches("^rdkafka-[0-9a-f-]{36}$", ClassicGroup.GenerateMemberId("rdkafka", null));
        Assert.Matches("^instance-7-[0-9a-f-]{36}$", ClassicGroup.GenerateMemberId("rdkafka", "instance-7"));
    }
}
