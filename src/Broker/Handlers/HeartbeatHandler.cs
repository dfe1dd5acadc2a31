using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// Heartbeat, v0-4: keeps a member's session alive and tells it when to rejoin
/// (REBALANCE_IN_PROGRESS), through the group coordinator. While the group's partition of
/// <c>__consumer_offsets</c> is still loading the answer is NONE, as Kafka's.
/// </summary>
public sealed class HeartbeatHandler : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ApiKey ApiKey => ApiKey.Heartbeat;

    public override ApiVersionRange Versions => new(0, 4);

    public override async ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request,
        CancellationToken cancellationToken) =>
        await context.Services.Groups.HeartbeatAsync(request, cancellationToken).ConfigureAwait(false);
}
