using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// OffsetFetch, v0-9: a group's committed offsets, through the group coordinator. A partition
/// without a committed offset gets offset -1 and no error; a group that does not exist has no offsets.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>v0-7: one group. A null topic list (v2+) asks for every committed offset. Before v2 there
/// is no group-level error field, so a group error is put on every partition.</item>
/// <item>v7+: RequireStable waits until the group's writes in flight are acknowledged (as Kafka 4,
/// which runs such a fetch as a write), instead of answering UNSTABLE_OFFSET_COMMIT.</item>
/// <item>v8+: several groups at once (KIP-709). v9's member id and epoch are for KIP-848 consumer
/// groups; classic groups ignore them, as Kafka does. v10 (topic ids) is not served.</item>
/// </list>
/// </remarks>
public sealed class OffsetFetchHandler : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetFetch;

    public override ApiVersionRange Versions => new(0, 9);

    public override async ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request,
        CancellationToken cancellationToken)
    {
        var groups = context.Services.Groups;
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
        {
            var pending = new Task<OffsetFetchResponse.OffsetFetchResponseGroup>[request.Groups.Count];
            for (int i = 0; i < pending.Length; i++)
            {
                var group = request.Groups[i];
                pending[i] = groups.FetchOffsetsAsync(group.GroupId, group.Topics, request.RequireStable, cancellationToken);
            }
            foreach (var group in pending)
            {
                response.Groups.Add(await group.ConfigureAwait(false));
            }
            return response;
        }
        List<OffsetFetchRequest.OffsetFetchRequestTopics>? topics = null;
        if (request.Topics is not null)
        {
            topics = new List<OffsetFetchRequest.OffsetFetchRequestTopics>(request.Topics.Count);
            foreach (var topic in request.Topics)
            {
                topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic.Name, PartitionIndexes = topic.PartitionIndexes });
            }
        }
        var result = await groups.FetchOffsetsAsync(request.GroupId, topics, request.RequireStable, cancellationToken).ConfigureAwait(false);
        response.ErrorCode = result.ErrorCode;
        bool groupErrorOnPartitions = context.ApiVersion < 2 && result.ErrorCode != (short)ErrorCode.None;
        if (groupErrorOnPartitions && request.Topics is not null)
        {
            // Before v2 a group error can only be told per partition: every requested one gets it.
            foreach (var topic in request.Topics)
            {
                var failed = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Name };
                foreach (int partition in topic.PartitionIndexes)
                {
                    failed.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = partition,
                        CommittedOffset = -1,
                        Metadata = "",
                        ErrorCode = result.ErrorCode,
                    });
                }
                response.Topics.Add(failed);
            }
            return response;
        }
        foreach (var topic in result.Topics)
        {
            var responseTopic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                responseTopic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    CommittedOffset = partition.CommittedOffset,
                    CommittedLeaderEpoch = partition.CommittedLeaderEpoch,
                    Metadata = partition.Metadata,
                    ErrorCode = partition.ErrorCode,
                });
            }
            response.Topics.Add(responseTopic);
        }
        return response;
    }
}
