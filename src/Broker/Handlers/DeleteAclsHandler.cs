using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DeleteAcls, v1-3 (Kafka 4's range): KafkaSharp has no authorizer, and Kafka without
/// <c>authorizer.class.name</c> answers every filter with SECURITY_DISABLED and no matching ACLs.
/// </summary>
public sealed class DeleteAclsHandler : ApiHandler<DeleteAclsRequest, DeleteAclsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteAcls;

    public override ApiVersionRange Versions => new(1, 3);

    public override ValueTask<DeleteAclsResponse?> HandleAsync(RequestContext context, DeleteAclsRequest request,
        CancellationToken cancellationToken)
    {
        var response = new DeleteAclsResponse { FilterResults = new(request.Filters.Count) };
        foreach (var _ in request.Filters)
        {
            response.FilterResults.Add(new DeleteAclsResponse.DeleteAclsFilterResult
            {
                ErrorCode = (short)ErrorCode.SecurityDisabled,
                ErrorMessage = CreateAclsHandler.NoAuthorizerMessage,
            });
        }
        return ValueTask.FromResult<DeleteAclsResponse?>(response);
    }
}
