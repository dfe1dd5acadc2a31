using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeAcls, v1-3 (Kafka 4's range): KafkaSharp has no authorizer, and Kafka without
/// <c>authorizer.class.name</c> answers every DescribeAcls with SECURITY_DISABLED and no resources.
/// </summary>
public sealed class DescribeAclsHandler : ApiHandler<DescribeAclsRequest, DescribeAclsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeAcls;

    public override ApiVersionRange Versions => new(1, 3);

    public override ValueTask<DescribeAclsResponse?> HandleAsync(RequestContext context, DescribeAclsRequest request,
        CancellationToken cancellationToken) =>
        ValueTask.FromResult<DescribeAclsResponse?>(new DescribeAclsResponse
        {
            ErrorCode = (short)ErrorCode.SecurityDisabled,
            // Kafka's wording for describe differs from create and delete.
            ErrorMessage = "No Authorizer is configured on the broker",
        });
}
