using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// Produce (API key 0), v3-13: validates each partition's record batch and appends it to the
/// partition's log, offsets assigned in place in the request frame.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Versions: ApiVersions announces 0-13 but only 3-13 are served, as Kafka 4 does (KAFKA-18659:
/// librdkafka picks its compression support from the lowest announced Produce version). Kafka 4's
/// produce schema starts at v3, so its network layer rejects v0-2 as "not enabled" and closes the
/// connection without a response; KafkaSharp's dispatcher does the same for versions outside
/// <see cref="Versions"/>.</item>
/// <item>Checks per partition, in Kafka's order (KafkaApis, ReplicaManager, UnifiedLog, LogValidator):
/// topic (UNKNOWN_TOPIC_ID for v13 topic ids, UNKNOWN_TOPIC_OR_PARTITION; Kafka 4 never creates
/// topics on produce); the records' shape for v3+ (one magic-2 batch: INVALID_RECORD; zstd before v7:
/// UNSUPPORTED_COMPRESSION_TYPE); acks (0, 1 or -1, else INVALID_REQUIRED_ACKS); internal topics
/// (INVALID_TOPIC_EXCEPTION unless the client id is <c>__admin_client</c>); acks=-1 with
/// <c>min.insync.replicas</c> above 1 (NOT_ENOUGH_REPLICAS: there is one replica); then
/// <see cref="LogAppendValidator"/> (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE for
/// <c>max.message.bytes</c>, INVALID_TIMESTAMP) and the log (RECORD_LIST_TOO_LARGE above
/// <c>segment.bytes</c>).</item>
/// <item>Producer ids: idempotent batches (producer id set, not transactional) are checked against the
/// partition's producer state (Storage's ProducerStateManager): a retry of one of the producer's last
/// five batches succeeds with the original batch's offsets (and its MaxTimestamp as LogAppendTimeMs)
/// without being appended again; an older epoch gets INVALID_PRODUCER_EPOCH, a sequence gap or a new
/// epoch not starting at 0 OUT_OF_ORDER_SEQUENCE_NUMBER, both with the log start offset and no
/// message, as Kafka answers. Transactional batches are refused as Kafka refuses them without a
/// transaction that holds the partition: with no transactional id, the whole request gets
/// TRANSACTIONAL_ID_AUTHORIZATION_FAILED; with one, INVALID_PRODUCER_ID_MAPPING (the coordinator's
/// answer for a transactional id it does not know).</item>
/// <item>acks=0: no response; if any partition failed, the connection is closed instead, so the
/// producer notices and refreshes its metadata, as Kafka does. acks=-1 equals acks=1 on one node,
/// except in durable mode, where it waits (at most TimeoutMs, then REQUEST_TIMED_OUT) until the
/// records are fsynced.</item>
/// <item>Response: BaseOffset, LogAppendTimeMs (-1 unless the topic uses LogAppendTime),
/// LogStartOffset (v5+), RecordErrors and ErrorMessage (v8+), CurrentLeader and NodeEndpoints
/// (v10+, only with NOT_LEADER_OR_FOLLOWER, pointing at this node).</item>
/// </list>
/// </remarks>
public sealed class ProduceHandler : ApiHandler<ProduceRequest, ProduceResponse>
{
    /// <summary>Kafka lets this client id (its admin tools) write internal topics.</summary>
    private const string AdminClientId = "__admin_client";

    public override ApiKey ApiKey => ApiKey.Produce;

    public override ApiVersionRange Versions => new(3, 13);

    public override ApiVersionRange AdvertisedVersions => new(0, 13);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request,
        CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        if (request.TransactionalId is null && HasTransactionalRecords(request))
        {
            // Kafka answers the whole request so, even with acks=0.
            return ErrorResponse(request, ErrorCode.TransactionalIdAuthorizationFailed);
        }
        var topics = context.Services.Topics;
        var replicas = context.Services.Replicas;
        short acks = request.Acks;
        bool validAcks = acks is 0 or 1 or -1;
        bool internalTopicsAllowed = context.ClientId == AdminClientId;
        var response = new ProduceResponse { Responses = new(request.TopicData.Count) };
        List<PendingAcks>? pendingAcks = null;
        bool anyError = false;
        bool notLeader = false;
        foreach (var topicData in request.TopicData)
        {
            ErrorCode topicError = topics.FindTopic(version >= 13, topicData.TopicId, topicData.Name, out TopicInfo? topic);
            var topicResponse = new ProduceResponse.TopicProduceResponse
            {
                Name = topicData.Name,
                TopicId = topicData.TopicId,
                PartitionResponses = new(topicData.PartitionData.Count),
            };
            response.Responses.Add(topicResponse);
            foreach (var partitionData in topicData.PartitionData)
            {
                var partitionResponse = new ProduceResponse.PartitionProduceResponse
                {
                    Index = partitionData.Index,
                    BaseOffset = -1,
                    LogAppendTimeMs = -1,
                    LogStartOffset = -1,
                };
                topicResponse.PartitionResponses.Add(partitionResponse);
                var error = topicError;
                var records = partitionData.Records as MemoryRecords;
                if (error == ErrorCode.None && !topic!.HasPartition(partitionData.Index))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                if (error == ErrorCode.None)
                {
                    error = CheckRecordsShape(records is null ? default : records.Buffer.Span, version);
                }
                if (error == ErrorCode.None && !validAcks)
                {
                    error = ErrorCode.InvalidRequiredAcks;
                }
                if (error != ErrorCode.None)
                {
                    partitionResponse.ErrorCode = (short)error;
                    anyError = true;
                    continue;
                }
                if (replicas.GetLog(topic!.Name, partitionData.Index) is not { } log)
                {
                    partitionResponse.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                    anyError = notLeader = true;
                    continue;
                }
                // The records are a slice of the request frame, which stays ours until this handler completes.
                var writable = MemoryMarshal.AsMemory(records!.Buffer);
                var result = replicas.AppendRecords(log, writable, acks, internalTopicsAllowed, topic.IsInternal);
                partitionResponse.ErrorCode = (short)result.Error;
                if (!result.IsSuccess)
                {
                    partitionResponse.LogStartOffset = result.Info.LogStartOffset;
                    anyError = true;
                    notLeader |= result.Error == ErrorCode.NotLeaderOrFollower;
                    if (version >= 8)
                    {
                        partitionResponse.ErrorMessage = result.ErrorMessage;
                        partitionResponse.RecordErrors = ToRecordErrors(result.RecordErrors);
                    }
                    continue;
                }
                partitionResponse.BaseOffset = result.Info.FirstOffset;
                partitionResponse.LogAppendTimeMs = result.Info.LogAppendTime;
                partitionResponse.LogStartOffset = result.Info.LogStartOffset;
                if (acks == -1 && log.HighWatermark <= result.Info.LastOffset)
                {
                    (pendingAcks ??= []).Add(new PendingAcks(log, result.Info.LastOffset, partitionResponse));
                }
            }
        }
        if (pendingAcks is not null)
        {
            anyError |= await WaitForAcksAsync(replicas, pendingAcks, request.TimeoutMs, cancellationToken).ConfigureAwait(false);
        }
        if (acks == 0)
        {
            if (anyError)
            {
                context.CloseConnection = true;
            }
            return null;
        }
        if (notLeader && version >= 10)
        {
            AddCurrentLeader(context, response);
        }
        return response;
    }

    /// <summary>
    /// Kafka's ProduceRequest.validateRecords for v3+, on the first batch's header: a whole batch must
    /// be there, with magic 2, not zstd before v7, and it must be the only one.
    /// </summary>
    private static ErrorCode CheckRecordsShape(ReadOnlySpan<byte> records, short version)
    {
        switch (NextBatchSize(records))
        {
            case < 0:
                return ErrorCode.CorruptMessage;
            case 0:
                return ErrorCode.InvalidRecord; // no record batch at all
            case var size:
                if (RecordBatchHeader.Magic(records) != RecordBatchHeader.CurrentMagic)
                {
                    return ErrorCode.InvalidRecord;
                }
                if (version < 7 && size > RecordBatchHeader.AttributesOffset + 1 &&
                    RecordBatchHeader.Compression(records) == CompressionType.Zstd)
                {
                    return ErrorCode.UnsupportedCompressionType;
                }
                return NextBatchSize(records[size..]) switch
                {
                    < 0 => ErrorCode.CorruptMessage,
                    0 => ErrorCode.None,
                    _ => ErrorCode.InvalidRecord, // more than one batch
                };
        }
    }

    /// <summary>
    /// The size of the batch at the start of <paramref name="records"/> as Kafka's batch iterator sees
    /// it: 0 when no whole batch is there, -1 when its length is below the smallest possible record.
    /// </summary>
    private static int NextBatchSize(ReadOnlySpan<byte> records)
    {
        const int minRecordOverhead = 14;
        if (records.Length < RecordBatchHeader.LogOverhead)
        {
            return 0;
        }
        int batchLength = RecordBatchHeader.BatchLength(records);
        if (batchLength < minRecordOverhead)
        {
            return -1;
        }
        long size = (long)batchLength + RecordBatchHeader.LogOverhead;
        return records.Length <= RecordBatchHeader.MagicOffset || size > records.Length ? 0 : (int)size;
    }

    private static bool HasTransactionalRecords(ProduceRequest request)
    {
        foreach (var topicData in request.TopicData)
        {
            foreach (var partitionData in topicData.PartitionData)
            {
                if (partitionData.Records is MemoryRecords { Buffer.Length: > RecordBatchHeader.AttributesOffset + 1 } records &&
                    RecordBatchHeader.IsTransactional(records.Buffer.Span))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Kafka's ProduceRequest.getErrorResponse: every partition with the same error.</summary>
    private static ProduceResponse ErrorResponse(ProduceRequest request, ErrorCode error)
    {
        var response = new ProduceResponse { Responses = new(request.TopicData.Count) };
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse
            {
                Name = topicData.Name,
                TopicId = topicData.TopicId,
                PartitionResponses = new(topicData.PartitionData.Count),
            };
            foreach (var partitionData in topicData.PartitionData)
            {
                topicResponse.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse
                {
                    Index = partitionData.Index,
                    ErrorCode = (short)error,
                    BaseOffset = -1,
                    LogAppendTimeMs = -1,
                    LogStartOffset = -1,
                });
            }
            response.Responses.Add(topicResponse);
        }
        return response;
    }

    private static List<ProduceResponse.BatchIndexAndErrorMessage> ToRecordErrors(IReadOnlyList<RecordError>? recordErrors)
    {
        var list = new List<ProduceResponse.BatchIndexAndErrorMessage>(recordErrors?.Count ?? 0);
        if (recordErrors is not null)
        {
            foreach (var recordError in recordErrors)
            {
                list.Add(new ProduceResponse.BatchIndexAndErrorMessage
                {
                    BatchIndex = recordError.BatchIndex,
                    BatchIndexErrorMessage = recordError.Message,
                });
            }
        }
        return list;
    }

    /// <summary>Waits, with one deadline for all, for the partitions whose acks=-1 is not met yet (durable mode); true if any failed.</summary>
    private static async ValueTask<bool> WaitForAcksAsync(ReplicaManager replicas, List<PendingAcks> pendingAcks, int timeoutMs,
        CancellationToken cancellationToken)
    {
        var time = replicas.Time;
        var timeout = TimeSpan.FromMilliseconds(Math.Max(timeoutMs, 0));
        long start = time.GetTimestamp();
        bool anyError = false;
        foreach (var pending in pendingAcks)
        {
            var remaining = timeout - time.GetElapsedTime(start);
            remaining = remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining;
            var error = await replicas.WaitForAcksAsync(pending.Log, pending.LastOffset, remaining, cancellationToken).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                pending.Response.ErrorCode = (short)error;
                anyError = true;
            }
        }
        return anyError;
    }

    /// <summary>KIP-951: NOT_LEADER_OR_FOLLOWER comes with the current leader, which is this node.</summary>
    private static void AddCurrentLeader(RequestContext context, ProduceResponse response)
    {
        foreach (var topicResponse in response.Responses)
        {
            foreach (var partitionResponse in topicResponse.PartitionResponses)
            {
                if (partitionResponse.ErrorCode == (short)ErrorCode.NotLeaderOrFollower)
                {
                    partitionResponse.CurrentLeader.LeaderId = context.Services.NodeId;
                    partitionResponse.CurrentLeader.LeaderEpoch = TopicInfo.LeaderEpoch;
                }
            }
        }
        var advertised = context.Listener.Advertised;
        response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint
        {
            NodeId = context.Services.NodeId,
            Host = advertised.Host,
            Port = advertised.Port,
        });
    }

    private sealed record PendingAcks(PartitionLog Log, long LastOffset, ProduceResponse.PartitionProduceResponse Response);
}
