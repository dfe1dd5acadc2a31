using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// CreateAcls, v1-3 (Kafka 4's range): KafkaSharp has no authorizer, and Kafka without
/// <c>authorizer.class.name</c> answers every creation with SECURITY_DISABLED; nothing is stored.
/// </summary>
public sealed class CreateAclsHandler : ApiHandler<CreateAclsRequest, CreateAclsResponse>
{
    /// <summary>Kafka's message for ACL changes (create and delete) when no authorizer is configured.</summary>
    public const string NoAuthorizerMessage = "No Authorizer is configured.";

    public override ApiKey ApiKey => ApiKey.CreateAcls;

    public override ApiVersionRange Versions => new(1, 3);

    public override ValueTask<CreateAclsResponse?> HandleAsync(RequestContext context, CreateAclsRequest request,
        CancellationToken cancellationToken)
    {
        var response = new CreateAclsResponse { Results = new(request.Creations.Count) };
        foreach (var _ in request.Creations)
        {
            response.Results.Add(new CreateAclsResponse.AclCreationResult
            {
                ErrorCode = (short)ErrorCode.SecurityDisabled,
                ErrorMessage = NoAuthorizerMessage,
            });
        }
        return ValueTask.FromResult<CreateAclsResponse?>(response);
    }
}
