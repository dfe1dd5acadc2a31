using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// ListGroups, v0-5: every group this node coordinates (all of them), through the group coordinator.
/// v4+ filters by state (KIP-518), v5+ by type (KIP-848); filters compare case-insensitively, and
/// every group here is of type "classic". While <c>__consumer_offsets</c> is still loading the answer
/// is COORDINATOR_LOAD_IN_PROGRESS.
/// </summary>
public sealed class ListGroupsHandler : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ApiKey ApiKey => ApiKey.ListGroups;

    public override ApiVersionRange Versions => new(0, 5);

    public override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request,
        CancellationToken cancellationToken) =>
        ValueTask.FromResult<ListGroupsResponse?>(context.Services.Groups.ListGroups(request.StatesFilter, request.TypesFilter));
}
