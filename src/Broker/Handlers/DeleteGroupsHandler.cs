using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DeleteGroups, v0-2: deletes empty groups and their committed offsets (tombstones in
/// <c>__consumer_offsets</c>), through the group coordinator. Per group: GROUP_ID_NOT_FOUND,
/// NON_EMPTY_GROUP while it has members, or none once the deletion is acknowledged.
/// </summary>
public sealed class DeleteGroupsHandler : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteGroups;

    public override ApiVersionRange Versions => new(0, 2);

    public override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request,
        CancellationToken cancellationToken)
    {
        var groups = context.Services.Groups;
        var pending = new Task<ErrorCode>[request.GroupsNames.Count];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = groups.DeleteGroupAsync(request.GroupsNames[i], cancellationToken);
        }
        var response = new DeleteGroupsResponse();
        for (int i = 0; i < pending.Length; i++)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = request.GroupsNames[i],
                ErrorCode = (short)await pending[i].ConfigureAwait(false),
            });
        }
        return response;
    }
}
