using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// OffsetDelete, v0 (KIP-496): deletes a group's committed offsets of topics it does not consume,
/// through the group coordinator.
/// </summary>
/// <remarks>
/// Group-level errors (GROUP_ID_NOT_FOUND; NON_EMPTY_GROUP for an active group that is not a consumer
/// group) come alone, without partitions. Per partition: UNKNOWN_TOPIC_OR_PARTITION for topics or
/// partitions that do not exist, GROUP_SUBSCRIBED_TO_TOPIC while a member subscribes to the topic.
/// </remarks>
public sealed class OffsetDeleteHandler : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetDelete;

    public override ApiVersionRange Versions => new(0, 0);

    public override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request,
        CancellationToken cancellationToken) =>
        await context.Services.Groups.DeleteOffsetsAsync(request, cancellationToken).ConfigureAwait(false);
}
