using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Groups;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Tests.Network;
using KafkaSharp.Broker.Tests.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Groups;

/// <summary>
/// A group coordinator over a real TopicRegistry in a temp directory, with a manual clock: deadlines
/// fire when the test advances time. Requests go through the coordinator's public methods (the ones
/// the handlers call); awaited results are bounded so a bug shows as a failure, not a hang.
/// </summary>
internal sealed class GroupTestContext : IAsyncDisposable
{
    public const string Topic = "orders";
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 30_000;
    public const int InitialDelayMs = 100;

    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(10);
    private readonly string _directory;
    private readonly Dictionary<string, string> _configValues;

    public GroupTestContext(params (string Name, string Value)[] overrides)
    {
        _directory = Path.Combine(Path.GetTempPath(), "ks-groups-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _configValues = new Dictionary<string, string>
        {
            ["log.dirs"] = _directory,
            ["offsets.topic.num.partitions"] = "3",
            ["group.initial.rebalance.delay.ms"] = InitialDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in overrides)
        {
            _configValues[name] = value;
        }
        Config = new BrokerConfig(_configValues);
        Open(startLoading: true);
        var created = Topics.CreateTopic(new NewTopic(Topic, 3, 1), validateOnly: false);
        Assert.True(created.Error.IsSuccess, created.Error.ToString());
    }

    public ManualTimeProvider Time { get; } = new();

    public BrokerConfig Config { get; }

    public TopicRegistry Topics { get; private set; } = null!;

    public GroupCoordinator Coordinator { get; private set; } = null!;

    /// <summary>The broker's services around the coordinator, for calling handlers.</summary>
    public BrokerServices Services => new()
    {
        Config = Config,
        ClusterId = "test-cluster",
        LoggerFactory = NullLoggerFactory.Instance,
        ApiVersions = new ApiVersionsRegistry([]),
        Time = Time,
        Topics = Topics,
        Groups = Coordinator,
    };

    public RequestContext HandlerContext(ApiKey apiKey, short version, string clientId = "client") =>
        new(TestConnections.Info(), Services) { ApiKey = apiKey, ApiVersion = version, ClientId = clientId };

    /// <summary>Stops the coordinator and storage cleanly and opens both again over the same directory.</summary>
    public async Task RestartAsync(bool startLoading = true)
    {
        await Coordinator.DisposeAsync();
        await Topics.DisposeAsync();
        Open(startLoading);
    }

    private void Open(bool startLoading)
    {
        Topics = TopicRegistry.Open(Config, NullLoggerFactory.Instance, Time);
        Coordinator = GroupCoordinator.Create(Config, GroupCoordinatorConfig.From(Config), Topics, NullLoggerFactory.Instance, Time);
        if (startLoading)
        {
            Coordinator.StartLoading();
            Coordinator.Loading.Wait(ResultTimeout);
        }
    }

    public static Task<T> Bounded<T>(Task<T> task) => task.WaitAsync(ResultTimeout);

    /// <summary>A consumer-protocol subscription (version 1) to <paramref name="topics"/>, as a member's protocol metadata.</summary>
    public static byte[] Subscription(params string[] topics)
    {
        var subscription = new ConsumerProtocolSubscription { Topics = [.. topics] };
        var bytes = new byte[2 + subscription.Size(1)];
        var writer = new KafkaWriter(bytes);
        writer.WriteInt16(1);
        subscription.Write(ref writer, 1);
        return bytes;
    }

    public static List<JoinGroupRequest.JoinGroupRequestProtocol> Protocols(params (string Name, byte[] Metadata)[] protocols)
    {
        var list = new List<JoinGroupRequest.JoinGroupRequestProtocol>();
        foreach (var (name, metadata) in protocols)
        {
            list.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = name, Metadata = metadata });
        }
        return list;
    }

    public static List<JoinGroupRequest.JoinGroupRequestProtocol> RangeProtocol(params string[] topics) => Protocols(("range", Subscription(topics)));

    public static JoinGroupRequest JoinRequest(string groupId, string memberId = "", string? groupInstanceId = null,
        List<JoinGroupRequest.JoinGroupRequestProtocol>? protocols = null, int sessionTimeoutMs = SessionTimeoutMs,
        int rebalanceTimeoutMs = RebalanceTimeoutMs, string protocolType = "consumer") => new()
    {
        GroupId = groupId,
        MemberId = memberId,
        GroupInstanceId = groupInstanceId,
        SessionTimeoutMs = sessionTimeoutMs,
        RebalanceTimeoutMs = rebalanceTimeoutMs,
        ProtocolType = protocolType,
        Protocols = protocols ?? RangeProtocol(Topic),
    };

    /// <summary>Starts a JoinGroup (the task completes when the join phase does).</summary>
    public Task<JoinGroupResponse> JoinAsync(JoinGroupRequest request, short version = 9, string clientId = "client") =>
        Coordinator.JoinGroupAsync(request, version, clientId, "/127.0.0.1", CancellationToken.None);

    /// <summary>A dynamic member's two-step join (v4+): asks for a member id, then joins with it; returns the parked second JoinGroup.</summary>
    public async Task<Task<JoinGroupResponse>> StartJoinAsync(string groupId, List<JoinGroupRequest.JoinGroupRequestProtocol>? protocols = null,
        int sessionTimeoutMs = SessionTimeoutMs, int rebalanceTimeoutMs = RebalanceTimeoutMs)
    {
        var first = await Bounded(JoinAsync(JoinRequest(groupId, protocols: protocols, sessionTimeoutMs: sessionTimeoutMs,
            rebalanceTimeoutMs: rebalanceTimeoutMs)));
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        Assert.StartsWith("client-", first.MemberId);
        return JoinAsync(JoinRequest(groupId, first.MemberId, protocols: protocols, sessionTimeoutMs: sessionTimeoutMs,
            rebalanceTimeoutMs: rebalanceTimeoutMs));
    }

    public Task<SyncGroupResponse> SyncAsync(string groupId, string memberId, int generationId,
        List<SyncGroupRequest.SyncGroupRequestAssignment>? assignments = null, string? groupInstanceId = null) =>
        Coordinator.SyncGroupAsync(new SyncGroupRequest
        {
            GroupId = groupId,
            MemberId = memberId,
            GenerationId = generationId,
            GroupInstanceId = groupInstanceId,
            ProtocolType = "consumer",
            ProtocolName = "range",
            Assignments = assignments ?? [],
        }, CancellationToken.None);

    public async Task<ErrorCode> HeartbeatAsync(string groupId, string memberId, int generationId, string? groupInstanceId = null)
    {
        var response = await Bounded(Coordinator.HeartbeatAsync(new HeartbeatRequest
        {
            GroupId = groupId,
            MemberId = memberId,
            GenerationId = generationId,
            GroupInstanceId = groupInstanceId,
        }, CancellationToken.None));
        return (ErrorCode)response.ErrorCode;
    }

    /// <summary>The group's state as DescribeGroups reports it (also a way to wait until the group's mailbox is idle).</summary>
    public async Task<DescribeGroupsResponse.DescribedGroup> DescribeAsync(string groupId) =>
        await Bounded(Coordinator.DescribeGroupAsync(groupId, CancellationToken.None));

    public static OffsetCommitRequest CommitRequest(string groupId, int generationId, string memberId, params (string Topic, int Partition, long Offset, string? Metadata)[] offsets)
    {
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = generationId, MemberId = memberId };
        foreach (var (topic, partition, offset, metadata) in offsets)
        {
            var requestTopic = request.Topics.Find(t => t.Name == topic);
            if (requestTopic is null)
            {
                requestTopic = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic };
                request.Topics.Add(requestTopic);
            }
            requestTopic.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition
            {
                PartitionIndex = partition,
                CommittedOffset = offset,
                CommittedMetadata = metadata,
            });
        }
        return request;
    }

    public Task<OffsetCommitResponse> CommitAsync(OffsetCommitRequest request, short version = 9) =>
        Bounded(Coordinator.CommitOffsetsAsync(request, version, CancellationToken.None));

    /// <summary>The committed offsets of <paramref name="groupId"/> by (topic, partition); all of them when no topic is named.</summary>
    public async Task<Dictionary<(string Topic, int Partition), OffsetFetchResponse.OffsetFetchResponsePartitions>> FetchAsync(string groupId,
        bool requireStable = false, params (string Topic, int[] Partitions)[] topics)
    {
        List<OffsetFetchRequest.OffsetFetchRequestTopics>? requested = null;
        if (topics.Length > 0)
        {
            requested = [];
            foreach (var (topic, partitions) in topics)
            {
                requested.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic, PartitionIndexes = [.. partitions] });
            }
        }
        var group = await Bounded(Coordinator.FetchOffsetsAsync(groupId, requested, requireStable, CancellationToken.None));
        Assert.Equal((short)ErrorCode.None, group.ErrorCode);
        var result = new Dictionary<(string, int), OffsetFetchResponse.OffsetFetchResponsePartitions>();
        foreach (var topic in group.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                result[(topic.Name, partition.PartitionIndex)] = partition;
            }
        }
        return result;
    }

    /// <summary>
    /// Moves the clock once <paramref name="groupId"/> has handled everything sent to it (so the
    /// deadlines it set are armed), then waits until it has handled what fell due.
    /// </summary>
    public async Task AdvanceAsync(string groupId, int milliseconds)
    {
        await DescribeAsync(groupId);
        Time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        await DescribeAsync(groupId);
    }

    public async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        await Topics.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
