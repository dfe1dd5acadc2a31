using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// ApiVersions (KIP-35, KIP-511), v0-4: every registered handler's advertised range, throttle 0.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The response header is always v0, even for flexible v3+ (the dispatcher applies
/// <c>ResponseHeader.HeaderVersion</c>).</item>
/// <item>A version above 4 never reaches this handler: the dispatcher answers it with
/// <see cref="UnsupportedVersionResponse"/> at v0 (KIP-511), so a newer client can retry lower.</item>
/// <item>v3+: the client's software name and version are kept on the connection for logs; like
/// Kafka, values outside <c>[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?</c> get INVALID_REQUEST.</item>
/// <item>Features (SupportedFeatures, FinalizedFeatures, epoch): left empty (epoch -1). A Kafka 4
/// broker lists metadata.version, kraft.version, group.version, transaction.version and others;
/// clients use them for opt-in protocols (e.g. transaction.version 2), so announcing none keeps
/// them on the classic paths KafkaSharp implements.</item>
/// </list>
/// </remarks>
public sealed class ApiVersionsHandler : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override ApiKey ApiKey => ApiKey.ApiVersions;

    public override ApiVersionRange Versions => new(0, 4);

    public override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request,
        CancellationToken cancellationToken)
    {
        if (context.ApiVersion >= 3)
        {
            context.Connection.ClientSoftwareName = request.ClientSoftwareName;
            context.Connection.ClientSoftwareVersion = request.ClientSoftwareVersion;
            if (!IsValidSoftwareField(request.ClientSoftwareName) || !IsValidSoftwareField(request.ClientSoftwareVersion))
            {
                return ValueTask.FromResult<ApiVersionsResponse?>(new ApiVersionsResponse { ErrorCode = (short)ErrorCode.InvalidRequest });
            }
        }
        var handlers = context.Services.ApiVersions.Handlers;
        var apiKeys = new List<ApiVersionsResponse.ApiVersion>(handlers.Count);
        foreach (var handler in handlers)
        {
            var advertised = handler.AdvertisedVersions;
            apiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = advertised.Min,
                MaxVersion = advertised.Max,
            });
        }
        return ValueTask.FromResult<ApiVersionsResponse?>(new ApiVersionsResponse { ApiKeys = apiKeys });
    }

    /// <summary>
    /// The answer to an ApiVersions request newer than <paramref name="supported"/>, to be written at
    /// v0: UNSUPPORTED_VERSION and ApiVersions' own range only, as Kafka answers (KIP-511).
    /// </summary>
    public static ApiVersionsResponse UnsupportedVersionResponse(ApiVersionRange supported) => new()
    {
        ErrorCode = (short)ErrorCode.UnsupportedVersion,
        ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = supported.Min, MaxVersion = supported.Max }],
    };

    private static bool IsValidSoftwareField(string value)
    {
        if (value.Length == 0 || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.')
            {
                return false;
            }
        }
        return true;
    }
}
