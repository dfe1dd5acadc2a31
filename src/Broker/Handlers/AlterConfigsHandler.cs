using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// AlterConfigs, v0-2 (the legacy, whole-set form of IncrementalAlterConfigs): a topic's overrides
/// are replaced by exactly the configs given (configs not named return to their defaults), saved
/// and pushed to its partition logs.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>TOPIC (2): validated like CreateTopics configs (INVALID_CONFIG with Kafka's message);
/// unknown topic: UNKNOWN_TOPIC_OR_PARTITION "The topic 'x' does not exist."; validateOnly checks only.</item>
/// <item>BROKER (4): the name must be empty or this node's id; any config is INVALID_REQUEST, as
/// KafkaSharp has no dynamic broker configs.</item>
/// <item>BROKER_LOGGER (8) and unknown types: INVALID_REQUEST "Unknown resource type N" (AlterConfigs
/// never supported loggers); CLIENT_METRICS, GROUP: INVALID_REQUEST, not supported.</item>
/// <item>A resource given twice, a config named twice, or a null value: INVALID_REQUEST with
/// Kafka's messages, before any change.</item>
/// </list>
/// </remarks>
public sealed class AlterConfigsHandler : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ApiKey ApiKey => ApiKey.AlterConfigs;

    public override ApiVersionRange Versions => new(0, 2);

    public override ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request,
        CancellationToken cancellationToken)
    {
        var keys = new List<(sbyte Type, string Name)>(request.Resources.Count);
        foreach (var resource in request.Resources)
        {
            keys.Add((resource.ResourceType, resource.ResourceName));
        }
        var duplicate = ConfigResourceChecks.FindDuplicateResources(keys);
        var response = new AlterConfigsResponse();
        for (var i = 0; i < request.Resources.Count; i++)
        {
            var resource = request.Resources[i];
            var error = duplicate[i] ? ConfigResourceChecks.DuplicateResource : Alter(context, resource, request.ValidateOnly);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return ValueTask.FromResult<AlterConfigsResponse?>(response);
    }

    private static ApiError Alter(RequestContext context, AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var configs = new List<(string Name, string? Value)>(resource.Configs.Count);
        foreach (var config in resource.Configs)
        {
            configs.Add((config.Name, config.Value));
        }
        var error = ConfigResourceChecks.CheckConfigList(configs, static _ => false);
        if (error.IsFailure)
        {
            return error;
        }
        var type = (ConfigResourceType)resource.ResourceType;
        switch (type)
        {
            case ConfigResourceType.Topic:
                var overrides = new Dictionary<string, string>(configs.Count, StringComparer.Ordinal);
                foreach (var (name, value) in configs)
                {
                    overrides[name] = value!;
                }
                return context.Services.Topics.AlterTopicConfigs(resource.ResourceName, _ => ConfigOverridesChange.To(overrides), validateOnly);
            case ConfigResourceType.Broker:
                return ConfigResourceChecks.CheckBrokerChange(resource.ResourceName, context.Services.NodeId, configs);
            case ConfigResourceType.ClientMetrics or ConfigResourceType.Group:
                return ConfigResourceChecks.Unsupported(type);
            default:
                return ConfigResourceChecks.UnknownResourceType(resource.ResourceType);
        }
    }
}
