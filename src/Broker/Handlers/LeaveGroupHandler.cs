using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// LeaveGroup, v0-5: removes members from a classic group (which then rebalances), through the
/// group coordinator.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>v0-2: one member, by member id; the response has one error code: the group's, else the member's.</item>
/// <item>v3+ (KIP-345): several members, each by member id or group instance id (an administrator
/// removes static members by instance id alone); an error per member. v5+: a reason per member.</item>
/// </list>
/// </remarks>
public sealed class LeaveGroupHandler : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.LeaveGroup;

    public override ApiVersionRange Versions => new(0, 5);

    public override async ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request,
        CancellationToken cancellationToken)
    {
        var members = context.ApiVersion >= 3
            ? request.Members
            : [new LeaveGroupRequest.MemberIdentity { MemberId = request.MemberId }];
        var response = await context.Services.Groups.LeaveGroupAsync(request.GroupId, members, cancellationToken).ConfigureAwait(false);
        if (context.ApiVersion < 3)
        {
            if (response.ErrorCode == (short)ErrorCode.None && response.Members.Count == 1)
            {
                response.ErrorCode = response.Members[0].ErrorCode;
            }
            response.Members.Clear();
        }
        return response;
    }
}
