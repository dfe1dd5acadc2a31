using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// OffsetCommit, v0-9: stores a group's committed offsets in <c>__consumer_offsets</c>, through the
/// group coordinator; the response is sent once the write is acknowledged (as a produce with acks=all).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Unknown topics and partitions: UNKNOWN_TOPIC_OR_PARTITION, checked before the group is asked.</item>
/// <item>Generation -1 with no member id: an admin or self-assigning consumer, accepted while the
/// group has no members; it creates a group that does not exist. Otherwise the member and
/// generation must be current (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID,
/// REBALANCE_IN_PROGRESS while the assignment is not out); for a group that does not exist,
/// GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before.</item>
/// <item>Metadata longer than <c>offset.metadata.max.bytes</c>: OFFSET_METADATA_TOO_LARGE for that partition.</item>
/// <item>v0 stores in the log like v1+ (Kafka 3 kept v0 commits in ZooKeeper); v1's commit timestamp
/// is kept; v2-4's retention time sets the offset's expiry. v10 (topic ids) is not served.</item>
/// </list>
/// </remarks>
public sealed class OffsetCommitHandler : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetCommit;

    public override ApiVersionRange Versions => new(0, 9);

    public override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request,
        CancellationToken cancellationToken) =>
        await context.Services.Groups.CommitOffsetsAsync(request, context.ApiVersion, cancellationToken).ConfigureAwait(false);
}
