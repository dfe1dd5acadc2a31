using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// One classic group (Kafka's <c>GroupMetadata</c>): its state, generation, protocol type and
/// selected protocol, leader, members (static ones also by group instance id), the members that
/// were given an id but have not joined yet, the members a new generation still waits on in
/// SyncGroup, and the group's committed offsets.
/// </summary>
/// <remarks>
/// Not thread-safe: only its <see cref="Mailbox"/> touches it, one piece of work at a time. The
/// protocol logic that drives it lives in <see cref="ClassicGroupCoordinator"/> (membership) and
/// <see cref="OffsetManager"/> (offsets); this class keeps the invariants of the data.
/// </remarks>
internal sealed class ClassicGroup
{
    /// <summary>The protocol type of Kafka's consumers; their subscriptions tell which topics the group reads.</summary>
    public const string ConsumerProtocolType = "consumer";

    private readonly TimeProvider _time;
    private readonly Dictionary<string, ClassicGroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingMembers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingSyncMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _supportedProtocols = new(StringComparer.Ordinal);
    private int _membersAwaitingJoin;
    private HashSet<string>? _subscribedTopics;

    public ClassicGroup(string groupId, TimeProvider time, ILogger logger)
    {
        GroupId = groupId;
        _time = time;
        Mailbox = new GroupMailbox(this, logger);
        CurrentStateTimestampMs = NowMs();
    }

    public string GroupId { get; }

    public GroupMailbox Mailbox { get; }

    public ClassicGroupState State { get; private set; } = ClassicGroupState.Empty;

    /// <summary>The state before the current one (an initial rebalance is one that started from Empty).</summary>
    public ClassicGroupState PreviousState { get; private set; } = ClassicGroupState.Empty;

    /// <summary>When the group entered its state; -1 when unknown (loaded from a record that did not say).</summary>
    public long CurrentStateTimestampMs { get; private set; }

    public int GenerationId { get; private set; }

    /// <summary>Set by the first member; null while the group has never had members.</summary>
    public string? ProtocolType { get; private set; }

    /// <summary>The protocol chosen for the current generation; null when there is none.</summary>
    public string? ProtocolName { get; private set; }

    public string? LeaderId { get; private set; }

    /// <summary>Set when a member joins during the initial rebalance, so the initial delay is extended once more.</summary>
    public bool NewMemberAdded { get; set; }

    /// <summary>Identifies the armed join-phase timer; bumped to disarm it (the timer then finds a stale token).</summary>
    public long JoinTimerToken { get; set; }

    /// <summary>Whether the armed join-phase timer is the initial rebalance delay, which never ends early.</summary>
    public bool JoinPhaseIsInitialDelay { get; set; }

    /// <summary>Identifies the armed SyncGroup timer, as <see cref="JoinTimerToken"/>.</summary>
    public long SyncTimerToken { get; set; }

    /// <summary>Committed offsets by partition.</summary>
    public Dictionary<TopicPartition, OffsetAndMetadata> Offsets { get; } = [];

    /// <summary>Offset commits appended to the log and not yet acknowledged, by partition (their values are not visible yet).</summary>
    public Dictionary<TopicPartition, int> PendingOffsetCommits { get; } = [];

    /// <summary>Completes when every write of this group appended so far is acknowledged (RequireStable fetches wait on it).</summary>
    public Task PendingWrites { get; set; } = Task.CompletedTask;

    public int Size => _members.Count;

    public IEnumerable<ClassicGroupMember> Members => _members.Values;

    public int PendingMemberCount => _pendingMembers.Count;

    public int MembersAwaitingJoin => _membersAwaitingJoin;

    public bool HasAllMembersJoined => _members.Count == _membersAwaitingJoin && _pendingMembers.Count == 0;

    public bool HasReceivedSyncFromAllMembers => _pendingSyncMembers.Count == 0;

    public IReadOnlyCollection<string> PendingSyncMembers => _pendingSyncMembers;

    public bool HasOffsets => Offsets.Count > 0 || PendingOffsetCommits.Count > 0;

    public bool Is(ClassicGroupState state) => State == state;

    public bool IsConsumerGroup => ProtocolType == ConsumerProtocolType;

    public bool CanRebalance => ClassicGroupStates.CanTransition(State, ClassicGroupState.PreparingRebalance);

    /// <summary>The longest rebalance timeout of the members: how long a rebalance waits for them.</summary>
    public int RebalanceTimeoutMs
    {
        get
        {
            int timeout = 0;
            foreach (var member in _members.Values)
            {
                timeout = Math.Max(timeout, member.RebalanceTimeoutMs);
            }
            return timeout;
        }
    }

    public bool Has(string memberId) => _members.ContainsKey(memberId);

    public ClassicGroupMember Get(string memberId) => _members[memberId];

    public bool TryGet(string memberId, out ClassicGroupMember member) => _members.TryGetValue(memberId, out member!);

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public string? StaticMemberId(string groupInstanceId) => _staticMembers.GetValueOrDefault(groupInstanceId);

    public bool IsPendingMember(string memberId) => _pendingMembers.Contains(memberId);

    /// <summary>Kafka's member ids: the client id (or the group instance id of a static member), a dash, a random UUID.</summary>
    public static string GenerateMemberId(string clientId, string? groupInstanceId) =>
        (groupInstanceId ?? clientId) + "-" + Guid.NewGuid().ToString("D");

    public void TransitionTo(ClassicGroupState state)
    {
        if (!ClassicGroupStates.CanTransition(State, state))
        {
            throw new InvalidOperationException($"Group {GroupId} cannot move from {State.ToKafkaName()} to {state.ToKafkaName()}");
        }
        PreviousState = State;
        State = state;
        CurrentStateTimestampMs = NowMs();
    }

    /// <summary>
    /// Adds a member; the first one fixes the protocol type, and one without a leader becomes it.
    /// <paramref name="awaitingJoin"/> is its parked JoinGroup, if any.
    /// </summary>
    public void Add(ClassicGroupMember member, TaskCompletionSource<JoinGroupResponse>? awaitingJoin)
    {
        if (member.GroupInstanceId is { } instanceId && !_staticMembers.TryAdd(instanceId, member.MemberId))
        {
            throw new InvalidOperationException($"Static member with group instance id {instanceId} is already a member of group {GroupId}");
        }
        if (_members.Count == 0)
        {
            ProtocolType = member.ProtocolType;
        }
        LeaderId ??= member.MemberId;
        _members.Add(member.MemberId, member);
        CountProtocols(member, +1);
        member.AwaitingJoin = awaitingJoin;
        if (member.IsAwaitingJoin)
        {
            _membersAwaitingJoin++;
        }
        _pendingMembers.Remove(member.MemberId);
    }

    /// <summary>Removes a member (or pending member); a leaving leader hands over to any remaining member.</summary>
    public void Remove(string memberId)
    {
        if (_members.Remove(memberId, out var member))
        {
            CountProtocols(member, -1);
            if (member.IsAwaitingJoin)
            {
                _membersAwaitingJoin--;
            }
            if (member.GroupInstanceId is { } instanceId)
            {
                _staticMembers.Remove(instanceId);
            }
        }
        if (IsLeader(memberId))
        {
            LeaderId = null;
            foreach (var remaining in _members.Keys)
            {
                LeaderId = remaining;
                break;
            }
        }
        _pendingMembers.Remove(memberId);
        _pendingSyncMembers.Remove(memberId);
    }

    /// <summary>
    /// Keeps the leader if it rejoined, else makes any rejoined member the leader. False when no
    /// member rejoined (or there is no leader at all).
    /// </summary>
    public bool MaybeElectNewJoinedLeader()
    {
        if (LeaderId is null)
        {
            return false;
        }
        if (_members[LeaderId].IsAwaitingJoin)
        {
            return true;
        }
        foreach (var member in _members.Values)
        {
            if (member.IsAwaitingJoin)
            {
                LeaderId = member.MemberId;
                return true;
            }
        }
        return false;
    }

    /// <summary>Gives a static member a new member id, keeping everything else (leadership included).</summary>
    public ClassicGroupMember ReplaceStaticMember(string groupInstanceId, string oldMemberId, string newMemberId)
    {
        if (!_members.Remove(oldMemberId, out var member))
        {
            throw new InvalidOperationException($"Cannot replace member {oldMemberId} of group {GroupId}: not a member");
        }
        member.MemberId = newMemberId;
        _members.Add(newMemberId, member);
        if (IsLeader(oldMemberId))
        {
            LeaderId = newMemberId;
        }
        _staticMembers[groupInstanceId] = newMemberId;
        if (_pendingSyncMembers.Remove(oldMemberId))
        {
            _pendingSyncMembers.Add(newMemberId);
        }
        return member;
    }

    public void AddPendingMember(string memberId) => _pendingMembers.Add(memberId);

    public void AddPendingSyncMember(string memberId) => _pendingSyncMembers.Add(memberId);

    public void RemovePendingSyncMember(string memberId) => _pendingSyncMembers.Remove(memberId);

    public void ClearPendingSyncMembers() => _pendingSyncMembers.Clear();

    /// <summary>Members that have not rejoined in the current join phase.</summary>
    public List<ClassicGroupMember> NotYetRejoinedMembers()
    {
        var notYetRejoined = new List<ClassicGroupMember>();
        foreach (var member in _members.Values)
        {
            if (!member.IsAwaitingJoin)
            {
                notYetRejoined.Add(member);
            }
        }
        return notYetRejoined;
    }

    /// <summary>Parks (or clears, with null) a member's JoinGroup, keeping the count of awaiting members.</summary>
    public void SetAwaitingJoin(ClassicGroupMember member, TaskCompletionSource<JoinGroupResponse>? awaitingJoin)
    {
        if (awaitingJoin is not null && !member.IsAwaitingJoin)
        {
            _membersAwaitingJoin++;
        }
        else if (awaitingJoin is null && member.IsAwaitingJoin)
        {
            _membersAwaitingJoin--;
        }
        member.AwaitingJoin = awaitingJoin;
    }

    /// <summary>Replaces a member's protocols and timeouts (a rejoin) and parks its JoinGroup.</summary>
    public void UpdateMember(ClassicGroupMember member, List<JoinGroupRequest.JoinGroupRequestProtocol> protocols,
        int rebalanceTimeoutMs, int sessionTimeoutMs, TaskCompletionSource<JoinGroupResponse>? awaitingJoin)
    {
        CountProtocols(member, -1);
        member.SupportedProtocols = protocols;
        CountProtocols(member, +1);
        member.RebalanceTimeoutMs = rebalanceTimeoutMs;
        member.SessionTimeoutMs = sessionTimeoutMs;
        SetAwaitingJoin(member, awaitingJoin);
    }

    /// <summary>Completes a member's parked JoinGroup, if any.</summary>
    public void CompleteJoin(ClassicGroupMember member, JoinGroupResponse response)
    {
        if (member.AwaitingJoin is { } awaiting)
        {
            SetAwaitingJoin(member, null);
            awaiting.TrySetResult(response);
        }
    }

    /// <summary>Completes a member's parked SyncGroup, if any; true when there was one.</summary>
    public static bool CompleteSync(ClassicGroupMember member, SyncGroupResponse response)
    {
        if (member.AwaitingSync is not { } awaiting)
        {
            return false;
        }
        member.AwaitingSync = null;
        awaiting.TrySetResult(response);
        return true;
    }

    /// <summary>
    /// Whether a member with these protocols may join: an empty group takes any non-empty protocol
    /// type and list; otherwise the type must match and one protocol must be supported by every member.
    /// </summary>
    public bool SupportsProtocols(string protocolType, List<JoinGroupRequest.JoinGroupRequestProtocol> protocols)
    {
        if (Is(ClassicGroupState.Empty))
        {
            return protocolType.Length > 0 && protocols.Count > 0;
        }
        if (ProtocolType != protocolType)
        {
            return false;
        }
        foreach (var protocol in protocols)
        {
            if (_supportedProtocols.GetValueOrDefault(protocol.Name) == _members.Count)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The protocol supported by every member that most members prefer (Kafka's vote).</summary>
    public string SelectProtocol()
    {
        if (_members.Count == 0)
        {
            throw new InvalidOperationException($"Cannot select a protocol for empty group {GroupId}");
        }
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (protocol, count) in _supportedProtocols)
        {
            if (count == _members.Count)
            {
                candidates.Add(protocol);
            }
        }
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        string? selected = null;
        int best = 0;
        foreach (var member in _members.Values)
        {
            string vote = member.Vote(candidates);
            int count = votes[vote] = votes.GetValueOrDefault(vote) + 1;
            if (count > best)
            {
                best = count;
                selected = vote;
            }
        }
        return selected!;
    }

    /// <summary>Starts the next generation: CompletingRebalance with a selected protocol, or Empty when no member is left.</summary>
    public void InitNextGeneration()
    {
        GenerationId++;
        if (_members.Count > 0)
        {
            ProtocolName = SelectProtocol();
            _subscribedTopics = ComputeSubscribedTopics();
            TransitionTo(ClassicGroupState.CompletingRebalance);
        }
        else
        {
            ProtocolName = null;
            _subscribedTopics = ComputeSubscribedTopics();
            TransitionTo(ClassicGroupState.Empty);
        }
        ClearPendingSyncMembers();
    }

    /// <summary>The members with their metadata for the selected protocol, for the leader's JoinGroup response.</summary>
    public List<JoinGroupResponse.JoinGroupResponseMember> CurrentMemberMetadata()
    {
        var members = new List<JoinGroupResponse.JoinGroupResponseMember>(_members.Count);
        foreach (var member in _members.Values)
        {
            members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                Metadata = member.Metadata(ProtocolName!),
            });
        }
        return members;
    }

    /// <summary>
    /// Whether the group reads <paramref name="topic"/>. When the consumer subscriptions could not be
    /// read, a consumer group is assumed to read every topic and any other group none (as Kafka 4).
    /// </summary>
    public bool IsSubscribedToTopic(string topic) => _subscribedTopics?.Contains(topic) ?? IsConsumerGroup;

    /// <summary>Whether the subscribed topics are known (a consumer group whose subscriptions parsed).</summary>
    public bool KnowsSubscribedTopics => _subscribedTopics is not null;

    /// <summary>Whether <paramref name="memberId"/> (with <paramref name="groupInstanceId"/>, if static) is a current member.</summary>
    public ErrorCode ValidateMember(string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null)
        {
            string? existing = StaticMemberId(groupInstanceId);
            if (existing is null)
            {
                return ErrorCode.UnknownMemberId;
            }
            if (existing != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
        }
        return Has(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    /// <summary>The group as <see cref="GroupMetadataRecord"/> stores it, with <paramref name="assignment"/> per member.</summary>
    public StoredGroup ToStored(Dictionary<string, byte[]> assignment)
    {
        var members = new List<StoredMember>(_members.Count);
        foreach (var member in _members.Values)
        {
            members.Add(new StoredMember(member.MemberId, member.GroupInstanceId, member.ClientId, member.ClientHost,
                member.RebalanceTimeoutMs, member.SessionTimeoutMs, member.Metadata(ProtocolName!), assignment[member.MemberId]));
        }
        return new StoredGroup(ProtocolType ?? "", GenerationId, ProtocolName, LeaderId, CurrentStateTimestampMs, members);
    }

    /// <summary>A group as loaded from its last record: Stable with its members, or Empty without.</summary>
    public static ClassicGroup FromStored(string groupId, StoredGroup stored, TimeProvider time, ILogger logger)
    {
        var group = new ClassicGroup(groupId, time, logger)
        {
            GenerationId = stored.Generation,
            ProtocolName = stored.Protocol,
            CurrentStateTimestampMs = stored.CurrentStateTimestampMs,
        };
        if (stored.Members.Count > 0)
        {
            group.State = ClassicGroupState.Stable;
            group.PreviousState = ClassicGroupState.CompletingRebalance;
        }
        foreach (var storedMember in stored.Members)
        {
            var protocols = new List<JoinGroupRequest.JoinGroupRequestProtocol>
            {
                new() { Name = stored.Protocol ?? "", Metadata = storedMember.Subscription },
            };
            var member = new ClassicGroupMember(storedMember.MemberId, storedMember.GroupInstanceId, storedMember.ClientId,
                storedMember.ClientHost, storedMember.RebalanceTimeoutMs, storedMember.SessionTimeoutMs, stored.ProtocolType, protocols)
            {
                Assignment = storedMember.Assignment,
            };
            group.Add(member, null);
        }
        group.ProtocolType = stored.ProtocolType.Length == 0 ? null : stored.ProtocolType;
        group.LeaderId = stored.Leader;
        group._subscribedTopics = group.ComputeSubscribedTopics();
        return group;
    }

    /// <summary>Marks a group Dead without the transition checks (deletion and expiry may end any state).</summary>
    public void MarkDead()
    {
        PreviousState = State;
        State = ClassicGroupState.Dead;
        CurrentStateTimestampMs = NowMs();
    }

    public long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void CountProtocols(ClassicGroupMember member, int delta)
    {
        foreach (var protocol in member.SupportedProtocols)
        {
            _supportedProtocols[protocol.Name] = _supportedProtocols.GetValueOrDefault(protocol.Name) + delta;
        }
    }

    /// <summary>
    /// The topics the members of a consumer group subscribe to, read from each member's subscription
    /// with the consumer protocol's version 0 layout (a prefix of every later version); null when the
    /// group is not a consumer group, has no selected protocol, or a subscription does not parse.
    /// </summary>
    private HashSet<string>? ComputeSubscribedTopics()
    {
        if (!IsConsumerGroup)
        {
            return null;
        }
        if (_members.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        if (ProtocolName is null)
        {
            return null;
        }
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in _members.Values)
        {
            var reader = new KafkaReader(member.Metadata(ProtocolName));
            reader.ReadInt16();
            var subscription = new ConsumerProtocolSubscription();
            subscription.Read(ref reader, 0);
            if (reader.HasError)
            {
                return null;
            }
            topics.UnionWith(subscription.Topics);
        }
        return topics;
    }
}
