using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// One member of a classic group (Kafka's <c>MemberMetadata</c>): who it is, its timeouts, the
/// protocols it supports in order of preference with their metadata, the assignment the leader gave
/// it, and the JoinGroup or SyncGroup request it is waiting on. Touched only by its group's mailbox.
/// </summary>
internal sealed class ClassicGroupMember
{
    public ClassicGroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost,
        int rebalanceTimeoutMs, int sessionTimeoutMs, string protocolType, List<JoinGroupRequest.JoinGroupRequestProtocol> supportedProtocols)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        SessionTimeoutMs = sessionTimeoutMs;
        ProtocolType = protocolType;
        SupportedProtocols = supportedProtocols;
    }

    /// <summary>Changes only when a static member rejoins and is given a new member id.</summary>
    public string MemberId { get; set; }

    /// <summary>The static member's identity across restarts (KIP-345); null for dynamic members.</summary>
    public string? GroupInstanceId { get; }

    public bool IsStatic => GroupInstanceId is not null;

    public string ClientId { get; }

    public string ClientHost { get; }

    public int RebalanceTimeoutMs { get; set; }

    public int SessionTimeoutMs { get; set; }

    public string ProtocolType { get; }

    /// <summary>Protocol names with their metadata, in the member's order of preference.</summary>
    public List<JoinGroupRequest.JoinGroupRequestProtocol> SupportedProtocols { get; set; }

    /// <summary>The leader's assignment for this member in the current generation (empty until SyncGroup).</summary>
    public byte[] Assignment { get; set; } = [];

    /// <summary>The member's JoinGroup, parked until the join phase completes.</summary>
    public TaskCompletionSource<JoinGroupResponse>? AwaitingJoin { get; set; }

    /// <summary>The member's SyncGroup, parked until the leader's assignment is stored.</summary>
    public TaskCompletionSource<SyncGroupResponse>? AwaitingSync { get; set; }

    public bool IsAwaitingJoin => AwaitingJoin is not null;

    public bool IsAwaitingSync => AwaitingSync is not null;

    /// <summary>
    /// Joined in the current rebalance and has not yet had a JoinGroup response: it cannot heartbeat,
    /// so it is bounded by the new-member join timeout instead of its session.
    /// </summary>
    public bool IsNew { get; set; }

    /// <summary>When the member is considered gone unless it shows signs of life (a heartbeat, a commit, a sync).</summary>
    public long SessionDeadlineMs { get; set; }

    /// <summary>The due time of this member's one outstanding session timer, or <see cref="long.MaxValue"/> when none is armed.</summary>
    public long SessionTimerDueMs { get; set; } = long.MaxValue;

    /// <summary>Kafka's <c>hasSatisfiedHeartbeat</c> at the deadline: members parked in a rebalance are alive, except new ones.</summary>
    public bool IsExcusedFromHeartbeats => !IsNew && (IsAwaitingJoin || IsAwaitingSync);

    /// <summary>The member's metadata for <paramref name="protocol"/> (which it is known to support).</summary>
    public byte[] Metadata(string protocol)
    {
        foreach (var supported in SupportedProtocols)
        {
            if (supported.Name == protocol)
            {
                return supported.Metadata;
            }
        }
        throw new InvalidOperationException($"Member {MemberId} does not support protocol {protocol}");
    }

    /// <summary>Whether <paramref name="protocols"/> equal the stored ones: same names, same metadata, same order.</summary>
    public bool Matches(List<JoinGroupRequest.JoinGroupRequestProtocol> protocols)
    {
        if (protocols.Count != SupportedProtocols.Count)
        {
            return false;
        }
        for (int i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != SupportedProtocols[i].Name ||
                !protocols[i].Metadata.AsSpan().SequenceEqual(SupportedProtocols[i].Metadata))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The member's vote: its most preferred protocol among <paramref name="candidates"/>.</summary>
    public string Vote(HashSet<string> candidates)
    {
        foreach (var supported in SupportedProtocols)
        {
            if (candidates.Contains(supported.Name))
            {
                return supported.Name;
            }
        }
        throw new InvalidOperationException($"Member {MemberId} supports none of the candidate protocols");
    }

    public override string ToString() =>
        $"member {MemberId} (group instance id {GroupInstanceId ?? "none"}, client id {ClientId}, host {ClientHost})";
}
