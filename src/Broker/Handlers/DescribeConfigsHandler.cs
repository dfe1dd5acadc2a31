using System.Globalization;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeConfigs, v0-4: a topic's configs (its overrides over the broker's defaults) and the
/// broker's own configs, as Kafka's ConfigHelper describes them. Kafka 4 serves v1-4.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>TOPIC (2): every topic config. Source DYNAMIC_TOPIC_CONFIG for an override, else the
/// source of the first broker synonym (STATIC_BROKER_CONFIG when set in server.properties or
/// --override), else DEFAULT_CONFIG. Synonyms (v1+, when asked): the override, then the broker
/// configs it falls back to (<see cref="TopicConfigDefaults"/>). Illegal name:
/// INVALID_TOPIC_EXCEPTION; unknown topic: UNKNOWN_TOPIC_OR_PARTITION.</item>
/// <item>BROKER (4): name = this node's id: every broker config KafkaSharp knows, all read-only (none
/// can be changed at run time); empty name: the cluster-wide dynamic defaults, of which there are
/// none. Any other name: INVALID_REQUEST with Kafka's message.</item>
/// <item>CLIENT_METRICS (16): no subscriptions exist, so the list is empty (an empty name is
/// INVALID_REQUEST, as Kafka). BROKER_LOGGER (8) and GROUP (32): not supported, INVALID_REQUEST
/// with a message saying so. Any other type: INVALID_REQUEST for every resource of the request, as
/// Kafka rejects the whole request.</item>
/// <item>ConfigurationKeys narrows the list (names that do not exist are left out); null or empty
/// means all. ConfigType (v3+) always; Documentation (v3+) only when asked, else null. IsDefault
/// (v0 only) is true for a value that is not set on the resource itself.</item>
/// </list>
/// </remarks>
public sealed class DescribeConfigsHandler : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeConfigs;

    public override ApiVersionRange Versions => new(0, 4);

    public override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request,
        CancellationToken cancellationToken)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            if (!Enum.IsDefined((ConfigResourceType)resource.ResourceType) || resource.ResourceType == (sbyte)ConfigResourceType.Unknown)
            {
                return Respond(RejectAll(request));
            }
        }
        var options = new DescribeOptions(context.ApiVersion == 0, context.ApiVersion >= 1 && request.IncludeSynonyms,
            context.ApiVersion >= 3 && request.IncludeDocumentation);
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            var error = (ConfigResourceType)resource.ResourceType switch
            {
                ConfigResourceType.Topic => DescribeTopic(context.Services.Topics, resource, options, result.Configs),
                ConfigResourceType.Broker => DescribeBroker(context.Services, resource, options, result.Configs),
                ConfigResourceType.ClientMetrics => resource.ResourceName.Length == 0
                    ? new ApiError(ErrorCode.InvalidRequest, "Client metrics subscription name must not be empty")
                    : ApiError.None,
                ConfigResourceType.BrokerLogger => new ApiError(ErrorCode.InvalidRequest, "KafkaSharp does not describe its loggers as BROKER_LOGGER configs"),
                _ => new ApiError(ErrorCode.InvalidRequest, "KafkaSharp does not support group configs"),
            };
            if (error.IsFailure)
            {
                result.ErrorCode = (short)error.Code;
                result.ErrorMessage = error.Message;
                result.Configs.Clear();
            }
            response.Results.Add(result);
        }
        return Respond(response);
    }

    /// <summary>IsDefault exists only at v0 (the writer refuses a true value later).</summary>
    private readonly record struct DescribeOptions(bool HasIsDefault, bool IncludeSynonyms, bool IncludeDocumentation);

    private static ApiError DescribeTopic(TopicRegistry registry, DescribeConfigsRequest.DescribeConfigsResource resource,
        DescribeOptions options, List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs)
    {
        if (TopicNames.Validate(resource.ResourceName) is { } reason)
        {
            return new ApiError(ErrorCode.InvalidTopicException, reason);
        }
        if (!registry.TryGetTopic(resource.ResourceName, out var topic))
        {
            return new ApiError(ErrorCode.UnknownTopicOrPartition, "");
        }
        foreach (var entry in registry.Defaults.All)
        {
            var definition = entry.Definition;
            if (!IsRequested(resource, definition.Name))
            {
                continue;
            }
            var overridden = topic.Overrides.TryGetValue(definition.Name, out var value);
            var synonyms = new List<DescribeConfigsResponse.DescribeConfigsSynonym>(entry.Synonyms.Count + 1);
            if (overridden)
            {
                synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.Name, Value = value, Source = (sbyte)ConfigSource.TopicConfig });
            }
            foreach (var synonym in entry.Synonyms)
            {
                synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = synonym.Name, Value = synonym.Value, Source = (sbyte)synonym.Source });
            }
            configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = definition.Name,
                Value = overridden ? value : entry.Value,
                ReadOnly = false,
                IsDefault = options.HasIsDefault && !overridden,
                ConfigSource = synonyms.Count == 0 ? (sbyte)ConfigSource.DefaultConfig : synonyms[0].Source,
                IsSensitive = false,
                Synonyms = options.IncludeSynonyms ? synonyms : [],
                ConfigType = (sbyte)definition.Type,
                Documentation = options.IncludeDocumentation ? definition.Documentation : null,
            });
        }
        return ApiError.None;
    }

    private static ApiError DescribeBroker(BrokerServices services, DescribeConfigsRequest.DescribeConfigsResource resource,
        DescribeOptions options, List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs)
    {
        var name = resource.ResourceName;
        if (name.Length == 0)
        {
            return ApiError.None;
        }
        if (!int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nodeId))
        {
            return new ApiError(ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}");
        }
        if (nodeId != services.NodeId)
        {
            return new ApiError(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {services.NodeId} or empty string, but received {name}");
        }
        var broker = services.Topics.Defaults.Broker;
        foreach (var entry in broker.Entries)
        {
            var definition = entry.Definition;
            if (!IsRequested(resource, definition.Name))
            {
                continue;
            }
            var synonyms = new List<DescribeConfigsResponse.DescribeConfigsSynonym>();
            foreach (var synonym in broker.Synonyms(definition.Name, kafkaDefault: null))
            {
                synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = synonym.Name, Value = synonym.Value, Source = (sbyte)synonym.Source });
            }
            configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = definition.Name,
                Value = entry.Value,
                ReadOnly = true,
                IsDefault = options.HasIsDefault && entry.Source != ConfigSource.StaticBrokerConfig,
                ConfigSource = synonyms.Count == 0 ? (sbyte)ConfigSource.DefaultConfig : synonyms[0].Source,
                IsSensitive = false,
                Synonyms = options.IncludeSynonyms ? synonyms : [],
                ConfigType = (sbyte)definition.Type,
                Documentation = options.IncludeDocumentation ? definition.Documentation : null,
            });
        }
        return ApiError.None;
    }

    private static bool IsRequested(DescribeConfigsRequest.DescribeConfigsResource resource, string name)
    {
        var keys = resource.ConfigurationKeys;
        if (keys is null || keys.Count == 0)
        {
            return true;
        }
        foreach (var key in keys)
        {
            if (key == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Kafka's answer to a request with an unknown resource type: INVALID_REQUEST with the generic text for every resource.</summary>
    private static DescribeConfigsResponse RejectAll(DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            response.Results.Add(new DescribeConfigsResponse.DescribeConfigsResult
            {
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ErrorMessage = ApiError.DefaultMessage(ErrorCode.InvalidRequest),
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return response;
    }

    private static ValueTask<DescribeConfigsResponse?> Respond(DescribeConfigsResponse response) =>
        ValueTask.FromResult<DescribeConfigsResponse?>(response);
}
