using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// FindCoordinator, v0-6: this node coordinates every group. Key type GROUP (0) answers with the
/// listener's advertised endpoint, after creating <c>__consumer_offsets</c> if it does not exist yet
/// (Kafka creates it on this request too, but answers COORDINATOR_NOT_AVAILABLE until it exists;
/// here it exists when the call returns).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>v0-3: one key (v0 always a group); errors with Kafka's error message and no node (-1, "", -1);
/// success carries the message "NONE", as Kafka's.</item>
/// <item>v4+: several keys (KIP-699), answered each with its own error.</item>
/// <item>TRANSACTION (1): COORDINATOR_NOT_AVAILABLE: there is no transaction coordinator.
/// SHARE (2): INVALID_REQUEST, Kafka's answer without a share coordinator (and always before v6).
/// Any other key type: INVALID_REQUEST for every key.</item>
/// </list>
/// </remarks>
public sealed class FindCoordinatorHandler : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;
    private const sbyte ShareKeyType = 2;

    public override ApiKey ApiKey => ApiKey.FindCoordinator;

    public override ApiVersionRange Versions => new(0, 6);

    public override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request,
        CancellationToken cancellationToken)
    {
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            var error = FindCoordinator(context, request.KeyType);
            response.ErrorCode = (short)error;
            if (error == ErrorCode.None)
            {
                response.ErrorMessage = "NONE";
                response.NodeId = context.Services.NodeId;
                response.Host = context.Listener.Advertised.Host;
                response.Port = context.Listener.Advertised.Port;
            }
            else
            {
                response.ErrorMessage = Message(error);
                response.NodeId = -1;
                response.Port = -1;
            }
            return ValueTask.FromResult<FindCoordinatorResponse?>(response);
        }
        foreach (var key in request.CoordinatorKeys)
        {
            var error = FindCoordinator(context, request.KeyType);
            var coordinator = new FindCoordinatorResponse.Coordinator { Key = key, ErrorCode = (short)error };
            if (error == ErrorCode.None)
            {
                coordinator.NodeId = context.Services.NodeId;
                coordinator.Host = context.Listener.Advertised.Host;
                coordinator.Port = context.Listener.Advertised.Port;
            }
            else
            {
                coordinator.NodeId = -1;
                coordinator.Port = -1;
            }
            response.Coordinators.Add(coordinator);
        }
        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    private static ErrorCode FindCoordinator(RequestContext context, sbyte keyType) => keyType switch
    {
        GroupKeyType => context.Services.Groups.EnsureOffsetsTopic(),
        TransactionKeyType => ErrorCode.CoordinatorNotAvailable,
        ShareKeyType => ErrorCode.InvalidRequest,
        _ => ErrorCode.InvalidRequest,
    };

    private static string? Message(ErrorCode error) => error switch
    {
        ErrorCode.CoordinatorNotAvailable => "The coordinator is not available.",
        _ => ApiError.DefaultMessage(error),
    };
}
