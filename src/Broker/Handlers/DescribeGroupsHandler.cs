using KafkaSharp.Broker.Groups;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeGroups, v0-6: state, protocol and members of each group, through the group coordinator.
/// Only a Stable group shows its protocol and the members' metadata and assignments.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A group that does not exist is described as Dead, with no error before v6 and
/// GROUP_ID_NOT_FOUND from v6 (KIP-1043).</item>
/// <item>v3+: authorized operations when asked for: every operation Kafka supports on a group
/// (there is no authorizer). v4+: members' group instance ids.</item>
/// </list>
/// </remarks>
public sealed class DescribeGroupsHandler : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeGroups;

    public override ApiVersionRange Versions => new(0, 6);

    public override async ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request,
        CancellationToken cancellationToken)
    {
        var groups = context.Services.Groups;
        var pending = new Task<DescribeGroupsResponse.DescribedGroup>[request.Groups.Count];
        for (int i = 0; i < pending.Length; i++)
        {
            pending[i] = groups.DescribeGroupAsync(request.Groups[i], cancellationToken);
        }
        var response = new DescribeGroupsResponse();
        foreach (var task in pending)
        {
            var described = await task.ConfigureAwait(false);
            if (context.ApiVersion >= 6 && described.ErrorCode == (short)ErrorCode.None && described.GroupState == "Dead")
            {
                described.ErrorCode = (short)ErrorCode.GroupIdNotFound;
                described.ErrorMessage = $"Group {described.GroupId} not found.";
            }
            if (context.ApiVersion >= 3 && request.IncludeAuthorizedOperations && described.ErrorCode == (short)ErrorCode.None)
            {
                described.AuthorizedOperations = GroupCoordinator.AllGroupOperations;
            }
            response.Groups.Add(described);
        }
        return response;
    }
}
