using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// Kafka's classic group coordinator for this node, which coordinates every group: membership
/// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), committed offsets (OffsetCommit, OffsetFetch,
/// OffsetDelete) and administration (ListGroups, DescribeGroups, DeleteGroups). The handlers call
/// it; it checks what Kafka checks before a group is touched (the coordinator is active, the group
/// id is valid, the group's partition of <c>__consumer_offsets</c> is loaded) and hands the request
/// to the group's mailbox, whose answer may come later (a JoinGroup waits for the rebalance).
/// </summary>
/// <remarks>
/// <para>Each group is an actor (<see cref="GroupMailbox"/>): its requests run one at a time, and
/// different groups never wait on each other. Idle groups cost a dictionary entry; deadlines of
/// all groups share one timer (<see cref="DeadlineScheduler"/>).</para>
/// <para>Groups and offsets are kept in <c>__consumer_offsets</c> in Kafka's record format
/// (<see cref="GroupStore"/>) and read back at start (<see cref="GroupLoader"/>); until a group's
/// partition is loaded its requests get COORDINATOR_LOAD_IN_PROGRESS.</para>
/// </remarks>
public sealed partial class GroupCoordinator : IAsyncDisposable
{
    private const int PartitionLoading = 0;
    private const int PartitionLoaded = 1;

    /// <summary>Kafka's bits for what may be done to a group (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS), for DescribeGroups.</summary>
    public const int AllGroupOperations = 1 << 3 | 1 << 6 | 1 << 8 | 1 << 10 | 1 << 11;

    /// <summary>The only group type here (Kafka's GroupType "classic").</summary>
    public const string ClassicGroupType = "classic";

    private readonly ConcurrentDictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly GroupCoordinatorConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DeadlineScheduler _scheduler;
    private readonly GroupStore _store;
    private readonly ClassicGroupCoordinator _membership;
    private readonly OffsetManager _offsets;
    private readonly OffsetManager.ExpireOffsetsWork _expireOffsets;
    private readonly int[] _partitionStates;
    private readonly ITimer _expirationTimer;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _active = true;
    private int _disposed;

    private GroupCoordinator(BrokerConfig brokerConfig, GroupCoordinatorConfig config, TopicRegistry topics, ILoggerFactory loggerFactory,
        TimeProvider time)
    {
        _config = config;
        _time = time;
        _logger = loggerFactory.CreateLogger<GroupCoordinator>();
        _scheduler = new DeadlineScheduler(time);
        _store = new GroupStore(brokerConfig, topics, config, time, _logger);
        _membership = new ClassicGroupCoordinator(config, _scheduler, _store, _logger);
        _offsets = new OffsetManager(config, _store, _groups, _membership, _logger);
        _expireOffsets = new OffsetManager.ExpireOffsetsWork(_offsets);
        _partitionStates = new int[_store.PartitionCount];
        var interval = TimeSpan.FromMilliseconds(Math.Min(config.OffsetsRetentionCheckIntervalMs, uint.MaxValue - 1));
        _expirationTimer = time.CreateTimer(static state => ((GroupCoordinator)state!).ExpireOffsets(), this, interval, interval);
    }

    /// <summary>Completes when every partition of <c>__consumer_offsets</c> has been loaded.</summary>
    public Task Loading { get; private set; } = Task.CompletedTask;

    /// <summary>How many partitions of <c>__consumer_offsets</c> the groups are spread over.</summary>
    public int PartitionCount => _store.PartitionCount;

    /// <summary>Groups known right now (of any state but Dead).</summary>
    public int GroupCount => _groups.Count;

    /// <summary>Deadlines armed in the shared timer (about one per live member, a few per rebalancing group).</summary>
    internal int PendingDeadlines => _scheduler.Count;

    /// <summary>
    /// Starts the coordinator: the groups of <c>__consumer_offsets</c> (if it exists) are loaded in the
    /// background, partition by partition, while requests are already served.
    /// </summary>
    public static GroupCoordinator Start(BrokerConfig config, TopicRegistry topics, ILoggerFactory loggerFactory, TimeProvider? time = null) =>
        Start(config, GroupCoordinatorConfig.From(config), topics, loggerFactory, time ?? TimeProvider.System);

    internal static GroupCoordinator Start(BrokerConfig brokerConfig, GroupCoordinatorConfig config, TopicRegistry topics,
        ILoggerFactory loggerFactory, TimeProvider time)
    {
        var coordinator = Create(brokerConfig, config, topics, loggerFactory, time);
        coordinator.StartLoading();
        return coordinator;
    }

    /// <summary>A coordinator that has not started loading: every group is still loading (tests look at that state).</summary>
    internal static GroupCoordinator Create(BrokerConfig brokerConfig, GroupCoordinatorConfig config, TopicRegistry topics,
        ILoggerFactory loggerFactory, TimeProvider time) => new(brokerConfig, config, topics, loggerFactory, time);

    internal void StartLoading() => Loading = Task.Run(LoadAll);

    /// <summary>The partition of <c>__consumer_offsets</c> that holds <paramref name="groupId"/>.</summary>
    public int PartitionFor(string groupId) => _store.PartitionFor(groupId);

    /// <summary>FindCoordinator: creates <c>__consumer_offsets</c> if needed; COORDINATOR_NOT_AVAILABLE when inactive or it cannot be created.</summary>
    public ErrorCode EnsureOffsetsTopic() => _active ? _store.EnsureTopic() : ErrorCode.CoordinatorNotAvailable;

    public async Task<JoinGroupResponse> JoinGroupAsync(JoinGroupRequest request, short version, string clientId, string clientHost,
        CancellationToken cancellationToken)
    {
        var error = CheckGroup(request.GroupId, allowEmptyGroupId: false);
        if (error == ErrorCode.None &&
            (request.SessionTimeoutMs < _config.GroupMinSessionTimeoutMs || request.SessionTimeoutMs > _config.GroupMaxSessionTimeoutMs))
        {
            error = ErrorCode.InvalidSessionTimeout;
        }
        if (error != ErrorCode.None)
        {
            return ClassicGroupCoordinator.JoinError(request.MemberId, error);
        }
        // Only a member without an id creates the group; a member id for a group that does not exist is unknown.
        var group = request.MemberId.Length == 0 ? GetOrCreateGroup(request.GroupId) : FindGroup(request.GroupId);
        if (group is null)
        {
            return ClassicGroupCoordinator.JoinError(request.MemberId, ErrorCode.UnknownMemberId);
        }
        var work = new ClassicGroupCoordinator.JoinGroupWork(_membership, request, version, clientId, clientHost);
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncGroupResponse> SyncGroupAsync(SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var error = CheckGroup(request.GroupId, allowEmptyGroupId: false);
        if (error != ErrorCode.None)
        {
            return ClassicGroupCoordinator.SyncError(error);
        }
        if (FindGroup(request.GroupId) is not { } group)
        {
            return ClassicGroupCoordinator.SyncError(ErrorCode.UnknownMemberId);
        }
        var work = new ClassicGroupCoordinator.SyncGroupWork(_membership, request);
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken)
    {
        var error = CheckGroup(request.GroupId, allowEmptyGroupId: false);
        if (error == ErrorCode.CoordinatorLoadInProgress)
        {
            // As Kafka: the group's state is not known yet, so the member is not bothered.
            return new HeartbeatResponse();
        }
        if (error == ErrorCode.None && FindGroup(request.GroupId) is { } group)
        {
            var work = new ClassicGroupCoordinator.HeartbeatWork(_membership, request);
            group.Mailbox.Post(work);
            return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return new HeartbeatResponse { ErrorCode = (short)(error != ErrorCode.None ? error : ErrorCode.UnknownMemberId) };
    }

    /// <summary>LeaveGroup for <paramref name="members"/>: a top-level error, or one per member.</summary>
    public async Task<LeaveGroupResponse> LeaveGroupAsync(string groupId, List<LeaveGroupRequest.MemberIdentity> members,
        CancellationToken cancellationToken)
    {
        var error = CheckGroup(groupId, allowEmptyGroupId: false);
        if (error != ErrorCode.None)
        {
            return new LeaveGroupResponse { ErrorCode = (short)error };
        }
        if (FindGroup(groupId) is not { } group)
        {
            var response = new LeaveGroupResponse();
            foreach (var member in members)
            {
                response.Members.Add(new LeaveGroupResponse.MemberResponse
                {
                    MemberId = member.MemberId,
                    GroupInstanceId = member.GroupInstanceId,
                    ErrorCode = (short)ErrorCode.UnknownMemberId,
                });
            }
            return response;
        }
        var work = new ClassicGroupCoordinator.LeaveGroupWork(_membership, members);
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// OffsetCommit. Partitions of topics or partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION
    /// (as Kafka checks before asking its coordinator); a commit with generation -1 to a group that
    /// does not exist creates it (a group that only stores offsets).
    /// </summary>
    public async Task<OffsetCommitResponse> CommitOffsetsAsync(OffsetCommitRequest request, short version, CancellationToken cancellationToken)
    {
        int count = 0;
        foreach (var topic in request.Topics)
        {
            count += topic.Partitions.Count;
        }
        var partitionErrors = new ErrorCode[count];
        int index = 0;
        int valid = 0;
        foreach (var topic in request.Topics)
        {
            _store.Topics.TryGetTopic(topic.Name, out var info);
            foreach (var partition in topic.Partitions)
            {
                bool exists = info is not null && info.HasPartition(partition.PartitionIndex);
                partitionErrors[index++] = exists ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;
                valid += exists ? 1 : 0;
            }
        }
        var work = new OffsetManager.CommitWork(_offsets, request, version, partitionErrors);
        if (valid == 0)
        {
            return work.Respond(ErrorCode.None);
        }
        var error = CheckGroup(request.GroupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return work.Respond(error);
        }
        var group = FindGroup(request.GroupId);
        if (group is null)
        {
            if (request.GenerationIdOrMemberEpoch >= 0)
            {
                // v9+ says what happened; older clients expect ILLEGAL_GENERATION.
                return work.Respond(version >= 9 ? ErrorCode.GroupIdNotFound : ErrorCode.IllegalGeneration);
            }
            group = GetOrCreateGroup(request.GroupId);
        }
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>OffsetFetch for one group: the requested partitions (all committed ones when <paramref name="topics"/> is null).</summary>
    public async Task<OffsetFetchResponse.OffsetFetchResponseGroup> FetchOffsetsAsync(string groupId,
        List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics, bool requireStable, CancellationToken cancellationToken)
    {
        var error = CheckGroup(groupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = groupId, ErrorCode = (short)error };
        }
        if (FindGroup(groupId) is not { } group)
        {
            return OffsetManager.Fetch(null, groupId, topics);
        }
        var work = new OffsetManager.FetchWork(groupId, topics, requireStable);
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// OffsetDelete. Unknown topics and partitions get UNKNOWN_TOPIC_OR_PARTITION; a group-level
    /// error comes back as the response's error code with no topics.
    /// </summary>
    public async Task<OffsetDeleteResponse> DeleteOffsetsAsync(OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        var error = CheckGroup(request.GroupId, allowEmptyGroupId: false);
        if (error == ErrorCode.None && FindGroup(request.GroupId) is null)
        {
            error = ErrorCode.GroupIdNotFound;
        }
        if (error != ErrorCode.None)
        {
            return new OffsetDeleteResponse { ErrorCode = (short)error };
        }
        var unknown = new List<OffsetDeleteResponse.OffsetDeleteResponseTopic>();
        var known = new OffsetDeleteRequest { GroupId = request.GroupId };
        foreach (var topic in request.Topics)
        {
            _store.Topics.TryGetTopic(topic.Name, out var info);
            OffsetDeleteRequest.OffsetDeleteRequestTopic? knownTopic = null;
            OffsetDeleteResponse.OffsetDeleteResponseTopic? unknownTopic = null;
            foreach (var partition in topic.Partitions)
            {
                if (info is not null && info.HasPartition(partition.PartitionIndex))
                {
                    knownTopic ??= new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = topic.Name };
                    knownTopic.Partitions.Add(partition);
                }
                else
                {
                    unknownTopic ??= new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
                    unknownTopic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                    {
                        PartitionIndex = partition.PartitionIndex,
                        ErrorCode = (short)ErrorCode.UnknownTopicOrPartition,
                    });
                }
            }
            if (knownTopic is not null)
            {
                known.Topics.Add(knownTopic);
            }
            if (unknownTopic is not null)
            {
                unknown.Add(unknownTopic);
            }
        }
        // Looked up again: the group may have gone while the topics were checked.
        if (FindGroup(request.GroupId) is not { } group)
        {
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.GroupIdNotFound };
        }
        var work = new OffsetManager.DeleteOffsetsWork(_offsets, known);
        group.Mailbox.Post(work);
        var response = await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (response.ErrorCode == (short)ErrorCode.None)
        {
            response.Topics.AddRange(unknown);
        }
        return response;
    }

    /// <summary>ListGroups: the groups in the given states (any when empty, case-insensitive) of the given types (only "classic" exists here).</summary>
    public ListGroupsResponse ListGroups(List<string> statesFilter, List<string> typesFilter)
    {
        if (!_active)
        {
            return new ListGroupsResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable };
        }
        for (int partition = 0; partition < _partitionStates.Length; partition++)
        {
            if (Volatile.Read(ref _partitionStates[partition]) == PartitionLoading)
            {
                return new ListGroupsResponse { ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress };
            }
        }
        var response = new ListGroupsResponse();
        if (typesFilter.Count > 0 && !ContainsIgnoringCase(typesFilter, ClassicGroupType))
        {
            return response;
        }
        foreach (var group in _groups.Values)
        {
            // Read outside the group's mailbox: a state and a protocol type are single reads, and a
            // listing is a snapshot anyway.
            var state = group.State;
            if (state == ClassicGroupState.Dead)
            {
                continue;
            }
            string stateName = state.ToKafkaName();
            if (statesFilter.Count > 0 && !ContainsIgnoringCase(statesFilter, stateName))
            {
                continue;
            }
            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType ?? "",
                GroupState = stateName,
                GroupType = ClassicGroupType,
            });
        }
        return response;
    }

    /// <summary>DescribeGroups for one group; a group that does not exist is described as Dead with no error, as Kafka does before v6.</summary>
    public async Task<DescribeGroupsResponse.DescribedGroup> DescribeGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var error = CheckGroup(groupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = (short)error };
        }
        if (FindGroup(groupId) is not { } group)
        {
            return new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, GroupState = ClassicGroupState.Dead.ToKafkaName() };
        }
        var work = new ClassicGroupCoordinator.DescribeGroupWork();
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DeleteGroups for one group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or deleted with its offsets.</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var error = CheckGroup(groupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return error;
        }
        if (FindGroup(groupId) is not { } group)
        {
            return ErrorCode.GroupIdNotFound;
        }
        var work = new OffsetManager.DeleteGroupWork(_offsets);
        group.Mailbox.Post(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops serving: new requests get COORDINATOR_NOT_AVAILABLE, and every group is unloaded as
    /// Kafka unloads a group whose coordinator moves (JoinGroup and SyncGroup requests waiting in a
    /// rebalance are answered NOT_COORDINATOR, so clients look for the coordinator again). Then the
    /// timers stop and loading, if still running, is abandoned.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _active = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Loading.ConfigureAwait(false);
        await _expirationTimer.DisposeAsync().ConfigureAwait(false);
        _scheduler.Dispose();
        var unloads = new List<Task>(_groups.Count);
        foreach (var group in _groups.Values)
        {
            var unload = new ClassicGroupCoordinator.UnloadWork();
            group.Mailbox.Post(unload);
            unloads.Add(unload.Completion.Task);
        }
        await Task.WhenAll(unloads).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Kafka compares filters trimmed and case-insensitively.</summary>
    private static bool ContainsIgnoringCase(List<string> filters, string value)
    {
        foreach (var filter in filters)
        {
            if (string.Equals(filter.Trim(), value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    internal ClassicGroup? FindGroup(string groupId) => _groups.GetValueOrDefault(groupId);

    private ClassicGroup GetOrCreateGroup(string groupId) =>
        _groups.GetOrAdd(groupId, static (id, self) => new ClassicGroup(id, self._time, self._logger), this);

    /// <summary>What Kafka checks before any group is touched: the coordinator is active, the group id is valid, the group is loaded.</summary>
    private ErrorCode CheckGroup(string groupId, bool allowEmptyGroupId)
    {
        if (!_active)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (!allowEmptyGroupId && groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }
        return Volatile.Read(ref _partitionStates[PartitionFor(groupId)]) == PartitionLoaded ? ErrorCode.None : ErrorCode.CoordinatorLoadInProgress;
    }

    private void ExpireOffsets()
    {
        foreach (var group in _groups.Values)
        {
            group.Mailbox.Post(_expireOffsets);
        }
    }

    /// <summary>Loads every partition of <c>__consumer_offsets</c>, in order; a partition without a log has nothing to load.</summary>
    private void LoadAll()
    {
        var watch = Stopwatch.StartNew();
        int groups = 0;
        for (int partition = 0; partition < _partitionStates.Length && !_stopping.IsCancellationRequested; partition++)
        {
            if (_store.Log(partition) is { } log)
            {
                groups += LoadPartition(log);
            }
            Volatile.Write(ref _partitionStates[partition], PartitionLoaded);
        }
        if (!_stopping.IsCancellationRequested)
        {
            LogLoadedAll(_logger, groups, _partitionStates.Length, watch.ElapsedMilliseconds);
        }
    }

    private int LoadPartition(PartitionLog log)
    {
        var watch = Stopwatch.StartNew();
        GroupLoader.LoadedPartition loaded;
        try
        {
            loaded = GroupLoader.Load(log, _config.OffsetsLoadBufferSize, _logger);
        }
        catch (IOException e)
        {
            // As Kafka: the partition is served anyway, without what could not be read.
            LogLoadFailed(_logger, e, log.TopicPartition.ToString());
            return 0;
        }
        int offsets = 0;
        int groupCount = 0;
        foreach (var (groupId, stored) in loaded.Groups)
        {
            groupCount++;
            var group = ClassicGroup.FromStored(groupId, stored, _time, _logger);
            if (loaded.Offsets.Remove(groupId, out var groupOffsets))
            {
                AddOffsets(group, groupOffsets);
                offsets += groupOffsets.Count;
            }
            _groups[groupId] = group;
            group.Mailbox.Post(new ClassicGroupCoordinator.GroupLoadedWork(_membership));
        }
        foreach (var (groupId, groupOffsets) in loaded.Offsets)
        {
            if (groupOffsets.Count == 0)
            {
                continue;
            }
            // Offsets without a group record: a group that only stores offsets (or was deleted and committed to again).
            groupCount++;
            var group = new ClassicGroup(groupId, _time, _logger);
            AddOffsets(group, groupOffsets);
            offsets += groupOffsets.Count;
            _groups[groupId] = group;
        }
        LogLoadedPartition(_logger, log.TopicPartition.ToString(), groupCount, offsets, loaded.RecordCount, loaded.Bytes, watch.ElapsedMilliseconds);
        return groupCount;
    }

    private static void AddOffsets(ClassicGroup group, Dictionary<TopicPartition, OffsetAndMetadata> offsets)
    {
        foreach (var (partition, offset) in offsets)
        {
            group.Offsets[partition] = offset;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {GroupCount} groups with {OffsetCount} offsets from {Partition} ({RecordCount} records, {Bytes} bytes) in {ElapsedMs} ms")]
    private static partial void LogLoadedPartition(ILogger logger, string partition, int groupCount, int offsetCount, long recordCount, long bytes, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group coordinator loaded {GroupCount} groups from {PartitionCount} partitions of __consumer_offsets in {ElapsedMs} ms")]
    private static partial void LogLoadedAll(ILogger logger, int groupCount, int partitionCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading groups and offsets from {Partition} failed; it is served without them")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string partition);
}
