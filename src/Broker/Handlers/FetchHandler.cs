using System.Runtime.CompilerServices;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// Fetch (API key 1), v4-18: record batches from each requested partition, as slices of the segment
/// files that the network layer sends with sendfile (never copied into the response buffer).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fetch sessions (KIP-227) are declined: a full fetch (session epoch 0 or -1) is served
/// sessionless and answered with SessionId 0, as Kafka answers when its session cache has no room, so
/// clients keep sending full fetches. An incremental fetch (epoch above 0) gets
/// FETCH_SESSION_ID_NOT_FOUND, Kafka's answer for a session it does not hold. Forgotten topics are
/// therefore ignored.</item>
/// <item>Per partition, in Kafka's order: UNKNOWN_TOPIC_ID (v13+ topic ids) or
/// UNKNOWN_TOPIC_OR_PARTITION; FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when CurrentLeaderEpoch
/// (v9+) is set and not 0; fetches from a replica (ReplicaId, or ReplicaState.ReplicaId from v15, of
/// 0 or more) get UNKNOWN_LEADER_EPOCH with an epoch, else NOT_LEADER_OR_FOLLOWER, as Kafka answers
/// a replica outside the partition's replica set; UNSUPPORTED_COMPRESSION_TYPE for a zstd topic
/// before v10; OFFSET_OUT_OF_RANGE outside [LogStartOffset, LogEndOffset]. A partition with an error
/// has HighWatermark, LastStableOffset and LogStartOffset -1 and no records, as in Kafka.</item>
/// <item>HighWatermark; LastStableOffset equals it (no transactions); AbortedTransactions is empty for
/// read_committed and null for read_uncommitted; PreferredReadReplica -1. v16+: CurrentLeader and
/// NodeEndpoints (this node) accompany NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH (KIP-951).</item>
/// <item>Sizes: MaxBytes (capped at Kafka's <c>fetch.max.bytes</c> default) limits the whole response
/// and PartitionMaxBytes each partition, in whole batches; the first batch found is returned even when
/// larger, so a consumer never stalls.</item>
/// <item>Long polling: with MaxWaitMs above 0, no partition error and fewer than MinBytes found, the
/// fetch parks in the <see cref="FetchPurgatory"/> until appends bring MinBytes or MaxWaitMs passes,
/// then reads again. The connection's later requests wait, as in Kafka.</item>
/// </list>
/// </remarks>
public sealed class FetchHandler : ApiHandler<FetchRequest, FetchResponse>
{
    /// <summary>Kafka's broker config <c>fetch.max.bytes</c> at its default (55 MiB): the most one fetch response carries.</summary>
    public const int FetchMaxBytes = 55 * 1024 * 1024;

    private const sbyte ReadCommitted = 1;

    public override ApiKey ApiKey => ApiKey.Fetch;

    public override ApiVersionRange Versions => new(4, 18);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request,
        CancellationToken cancellationToken)
    {
        if (request.SessionEpoch > 0)
        {
            return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound };
        }
        var replicas = context.Services.Replicas;
        int fetchMaxBytes = Math.Min(request.MaxBytes, FetchMaxBytes);
        int minBytes = Math.Min(request.MinBytes, fetchMaxBytes);
        var response = new FetchResponse { Responses = new(request.Topics.Count) };
        var partitions = PlanPartitions(context, request, response);
        int bytesRead = ReplicaManager.ReadFromLog(partitions, fetchMaxBytes);
        if (request.MaxWaitMs > 0 && partitions.Length > 0 && bytesRead < minBytes && !HasError(partitions))
        {
            await replicas.FetchPurgatory.WaitAsync(partitions, minBytes, TimeSpan.FromMilliseconds(request.MaxWaitMs), cancellationToken)
                .ConfigureAwait(false);
            ForgetReplacedLogs(replicas, partitions);
            ReplicaManager.ReadFromLog(partitions, fetchMaxBytes);
        }
        FillResponse(context, request, response, partitions);
        return response;
    }

    /// <summary>The record bytes that stay in the segment files and go out by sendfile.</summary>
    protected override int SplicedRecordsBytes(FetchResponse response)
    {
        int bytes = 0;
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.Records is FileRecords records)
                {
                    bytes += records.SizeInBytes;
                }
            }
        }
        return bytes;
    }

    /// <summary>
    /// Resolves every requested partition to its log, or to the error it is answered with, and lays out
    /// the response in request order (one entry per partition, matching the returned array).
    /// </summary>
    private static FetchPartition[] PlanPartitions(RequestContext context, FetchRequest request, FetchResponse response)
    {
        var version = context.ApiVersion;
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        bool fromReplica = (version >= 15 ? request.ReplicaState.ReplicaId : request.ReplicaId) >= 0;
        int count = 0;
        foreach (var topic in request.Topics)
        {
            count += topic.Partitions.Count;
        }
        var partitions = count == 0 ? [] : new FetchPartition[count];
        int index = 0;
        foreach (var fetchTopic in request.Topics)
        {
            ErrorCode topicError = topics.FindTopic(version >= 13, fetchTopic.TopicId, fetchTopic.Topic, out TopicInfo? topic);
            var topicResponse = new FetchResponse.FetchableTopicResponse
            {
                Topic = fetchTopic.Topic,
                TopicId = fetchTopic.TopicId,
                Partitions = new(fetchTopic.Partitions.Count),
            };
            response.Responses.Add(topicResponse);
            foreach (var fetchPartition in fetchTopic.Partitions)
            {
                topicResponse.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = fetchPartition.Partition });
                ref var partition = ref partitions[index++];
                partition.FetchOffset = fetchPartition.FetchOffset;
                partition.MaxBytes = fetchPartition.PartitionMaxBytes;
                partition.Error = topicError;
                if (topicError != ErrorCode.None)
                {
                    continue;
                }
                if (!topic!.HasPartition(fetchPartition.Partition))
                {
                    partition.Error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (replicas.GetLog(topic.Name, fetchPartition.Partition) is not { } log)
                {
                    partition.Error = ErrorCode.NotLeaderOrFollower;
                }
                else if (ReplicaManager.CheckLeaderEpoch(fetchPartition.CurrentLeaderEpoch) is var epochError and not ErrorCode.None)
                {
                    partition.Error = epochError;
                }
                else if (fromReplica)
                {
                    partition.Error = fetchPartition.CurrentLeaderEpoch >= 0 ? ErrorCode.UnknownLeaderEpoch : ErrorCode.NotLeaderOrFollower;
                }
                else if (version < 10 && log.Config.CompressionType == "zstd")
                {
                    partition.Error = ErrorCode.UnsupportedCompressionType;
                }
                else
                {
                    partition.Log = log;
                }
            }
        }
        return partitions;
    }

    private static bool HasError(ReadOnlySpan<FetchPartition> partitions)
    {
        foreach (ref readonly var partition in partitions)
        {
            if (partition.Error != ErrorCode.None)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A partition deleted (or deleted and re-created) while the fetch waited is no longer this log's.</summary>
    private static void ForgetReplacedLogs(ReplicaManager replicas, Span<FetchPartition> partitions)
    {
        foreach (ref var partition in partitions)
        {
            if (partition.Log is { } log && !ReferenceEquals(replicas.Logs.GetLog(log.TopicPartition), log))
            {
                partition.Log = null;
                partition.Error = ErrorCode.NotLeaderOrFollower;
            }
        }
    }

    private static void FillResponse(RequestContext context, FetchRequest request, FetchResponse response, FetchPartition[] partitions)
    {
        var version = context.ApiVersion;
        bool readCommitted = request.IsolationLevel == ReadCommitted;
        bool leaderHint = false;
        int index = 0;
        foreach (var topicResponse in response.Responses)
        {
            foreach (var data in topicResponse.Partitions)
            {
                ref readonly var partition = ref partitions[index++];
                var error = partition.Error;
                if (error == ErrorCode.None)
                {
                    var read = partition.Read;
                    data.HighWatermark = read.HighWatermark;
                    data.LastStableOffset = read.HighWatermark;
                    data.LogStartOffset = read.LogStartOffset;
                    data.Records = read.Records;
                    if (!readCommitted)
                    {
                        data.AbortedTransactions = null;
                    }
                    continue;
                }
                // Clients of v5 and older do not know KAFKA_STORAGE_ERROR; Kafka makes them refresh metadata instead.
                if (error == ErrorCode.KafkaStorageError && version <= 5)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                }
                data.ErrorCode = (short)error;
                data.HighWatermark = -1;
                data.LastStableOffset = -1;
                data.LogStartOffset = -1;
                data.AbortedTransactions = null;
                data.Records = MemoryRecords.Empty;
                if (version >= 16 && error is ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch)
                {
                    data.CurrentLeader.LeaderId = context.Services.NodeId;
                    data.CurrentLeader.LeaderEpoch = TopicInfo.LeaderEpoch;
                    leaderHint = true;
                }
            }
        }
        if (leaderHint)
        {
            var advertised = context.Listener.Advertised;
            response.NodeEndpoints.Add(new FetchResponse.NodeEndpoint
            {
                NodeId = context.Services.NodeId,
                Host = advertised.Host,
                Port = advertised.Port,
            });
        }
    }
}
