using System.Net;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// JoinGroup, v0-9: joins a classic group through the group coordinator (<c>Groups/</c>). The
/// response may take until the rebalance completes; the connection waits, as Kafka's does.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>v0 has no rebalance timeout: the session timeout serves as one.</item>
/// <item>v4+: a dynamic member without a member id gets MEMBER_ID_REQUIRED and its id (KIP-394).</item>
/// <item>v5+: static members (group instance id, KIP-345). v8+: the reason is logged. v9+: a
/// rejoining static leader may be told to skip the assignment (KIP-814).</item>
/// <item>The protocol name is "" rather than null before v7, where it is not nullable; from v7 an
/// empty name is sent as null, as Kafka does.</item>
/// <item>The member's client host is the connection's address in Java's form ("/127.0.0.1").</item>
/// </list>
/// </remarks>
public sealed class JoinGroupHandler : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.JoinGroup;

    public override ApiVersionRange Versions => new(0, 9);

    public override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request,
        CancellationToken cancellationToken)
    {
        var response = await context.Services.Groups.JoinGroupAsync(request, context.ApiVersion, context.ClientId ?? "",
            ClientHost(context), cancellationToken).ConfigureAwait(false);
        if (context.ApiVersion < 7)
        {
            response.ProtocolName ??= "";
        }
        else if (response.ProtocolName is { Length: 0 })
        {
            response.ProtocolName = null;
        }
        return response;
    }

    /// <summary>The client's address as Kafka shows it (Java's InetAddress.toString: "/" and the address).</summary>
    internal static string ClientHost(RequestContext context)
    {
        if (context.Connection.RemoteEndPoint is IPEndPoint endPoint)
        {
            var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
            return "/" + address;
        }
        return "/" + context.Connection.RemoteEndPoint;
    }
}
