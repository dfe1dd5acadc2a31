using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeCluster (KIP-700), v0-2: this node as the whole cluster, the only broker and the
/// controller a client is told about, at the advertised endpoint of the listener the request came in on.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>EndpointType (v1+): only brokers (1) are described on a broker listener. Controllers (2)
/// get MISMATCHED_ENDPOINT_TYPE, any other value UNSUPPORTED_ENDPOINT_TYPE (the unknown type checked
/// first); at v0 both are INVALID_REQUEST. Kafka's messages, no brokers, no cluster id.</item>
/// <item>Cluster authorized operations: -2147483648 unless asked for; when asked, every cluster
/// operation Kafka supports (there is no authorizer), the same value Metadata v8-10 reports.</item>
/// <item>Rack null; IsFenced false (v2): this node is never fenced, so IncludeFencedBrokers changes nothing.</item>
/// </list>
/// </remarks>
public sealed class DescribeClusterHandler : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokerEndpointType = 1;
    private const sbyte ControllerEndpointType = 2;

    public override ApiKey ApiKey => ApiKey.DescribeCluster;

    public override ApiVersionRange Versions => new(0, 2);

    public override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request,
        CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        if (request.EndpointType is not (BrokerEndpointType or ControllerEndpointType))
        {
            return Respond(Refusal(version, ErrorCode.UnsupportedEndpointType, $"Unsupported endpoint type {request.EndpointType}"));
        }
        if (request.EndpointType == ControllerEndpointType)
        {
            return Respond(Refusal(version, ErrorCode.MismatchedEndpointType,
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER"));
        }
        var services = context.Services;
        var advertised = context.Listener.Advertised;
        return Respond(new DescribeClusterResponse
        {
            EndpointType = BrokerEndpointType,
            ClusterId = services.ClusterId,
            ControllerId = services.NodeId,
            Brokers =
            [
                new DescribeClusterResponse.DescribeClusterBroker
                {
                    BrokerId = services.NodeId,
                    Host = advertised.Host,
                    Port = advertised.Port,
                    Rack = null,
                    IsFenced = false,
                },
            ],
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations
                ? MetadataHandler.AllClusterOperations
                : int.MinValue,
        });
    }

    private static DescribeClusterResponse Refusal(short version, ErrorCode error, string message) => new()
    {
        ErrorCode = (short)(version == 0 ? ErrorCode.InvalidRequest : error),
        ErrorMessage = message,
    };

    private static ValueTask<DescribeClusterResponse?> Respond(DescribeClusterResponse response) =>
        ValueTask.FromResult<DescribeClusterResponse?>(response);
}
