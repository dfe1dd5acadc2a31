using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// SyncGroup, v0-5: the leader hands in the assignment and every member gets its part, through the
/// group coordinator. A follower's response waits for the leader's; the connection waits with it.
/// </summary>
/// <remarks>
/// From v5 the protocol type and name are mandatory: without them the answer is
/// INCONSISTENT_GROUP_PROTOCOL, as Kafka's, before the group is asked.
/// </remarks>
public sealed class SyncGroupHandler : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.SyncGroup;

    public override ApiVersionRange Versions => new(0, 5);

    public override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request,
        CancellationToken cancellationToken)
    {
        if (context.ApiVersion >= 5 && (request.ProtocolType is null || request.ProtocolName is null))
        {
            return new SyncGroupResponse { ErrorCode = (short)ErrorCode.InconsistentGroupProtocol, ProtocolType = null, ProtocolName = null };
        }
        return await context.Services.Groups.SyncGroupAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
