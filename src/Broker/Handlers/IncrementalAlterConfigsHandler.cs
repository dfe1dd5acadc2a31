using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (KIP-339), v0-1: SET, DELETE, APPEND and SUBTRACT on topic configs,
/// saved with the topic and pushed to its partition logs.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>TOPIC (2): the operations apply to the topic's overrides; APPEND/SUBTRACT only on list
/// configs (<c>cleanup.policy</c>, ...), starting from the override or the config's default. The
/// result is validated like CreateTopics configs (INVALID_CONFIG with Kafka's message); an unknown
/// topic is UNKNOWN_TOPIC_OR_PARTITION "The topic 'x' does not exist.". validateOnly checks only.</item>
/// <item>BROKER (4): the name must be empty or this node's id; any config change is INVALID_REQUEST
/// "Cannot update these configs dynamically: ...": KafkaSharp has no dynamic broker configs.</item>
/// <item>BROKER_LOGGER, CLIENT_METRICS, GROUP: INVALID_REQUEST, not supported. Unknown types:
/// INVALID_REQUEST "Unknown resource type N", as Kafka.</item>
/// <item>Checks before any change, as Kafka's broker: a resource given twice (both INVALID_REQUEST
/// "Each resource must appear at most once."), a config named twice, a null value for an operation
/// other than DELETE, an unknown operation.</item>
/// </list>
/// </remarks>
public sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private const sbyte OpSet = 0;
    private const sbyte OpDelete = 1;
    private const sbyte OpAppend = 2;
    private const sbyte OpSubtract = 3;

    public override ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public override ApiVersionRange Versions => new(0, 1);

    public override ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context,
        IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var keys = new List<(sbyte Type, string Name)>(request.Resources.Count);
        foreach (var resource in request.Resources)
        {
            keys.Add((resource.ResourceType, resource.ResourceName));
        }
        var duplicate = ConfigResourceChecks.FindDuplicateResources(keys);
        var response = new IncrementalAlterConfigsResponse();
        for (var i = 0; i < request.Resources.Count; i++)
        {
            var resource = request.Resources[i];
            var error = duplicate[i] ? ConfigResourceChecks.DuplicateResource : Alter(context, resource, request.ValidateOnly);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return ValueTask.FromResult<IncrementalAlterConfigsResponse?>(response);
    }

    private static ApiError Alter(RequestContext context, IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var configs = new List<(string Name, string? Value)>(resource.Configs.Count);
        foreach (var config in resource.Configs)
        {
            configs.Add((config.Name, config.Value));
        }
        var error = ConfigResourceChecks.CheckConfigList(configs, i => resource.Configs[i].ConfigOperation == OpDelete);
        if (error.IsFailure)
        {
            return error;
        }
        var type = (ConfigResourceType)resource.ResourceType;
        if (type is ConfigResourceType.Topic or ConfigResourceType.Broker)
        {
            foreach (var config in resource.Configs)
            {
                if (config.ConfigOperation is < OpSet or > OpSubtract)
                {
                    return new ApiError(ErrorCode.InvalidRequest, $"Unknown operations type {config.ConfigOperation}");
                }
            }
        }
        return type switch
        {
            ConfigResourceType.Topic => context.Services.Topics.AlterTopicConfigs(resource.ResourceName,
                current => Apply(current, resource.Configs), validateOnly),
            ConfigResourceType.Broker => ConfigResourceChecks.CheckBrokerChange(resource.ResourceName, context.Services.NodeId, configs),
            ConfigResourceType.BrokerLogger or ConfigResourceType.ClientMetrics or ConfigResourceType.Group => ConfigResourceChecks.Unsupported(type),
            _ => ConfigResourceChecks.UnknownResourceType(resource.ResourceType),
        };
    }

    /// <summary>Kafka's <c>ConfigurationControlManager.incrementalAlterConfigResource</c> on a topic's overrides.</summary>
    private static ConfigOverridesChange Apply(IReadOnlyDictionary<string, string> current,
        List<IncrementalAlterConfigsRequest.AlterableConfig> operations)
    {
        var overrides = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            var name = operation.Name;
            switch (operation.ConfigOperation)
            {
                case OpSet:
                    overrides[name] = operation.Value!;
                    break;
                case OpDelete:
                    overrides.Remove(name);
                    break;
                default:
                    var opName = operation.ConfigOperation == OpAppend ? "APPEND" : "SUBTRACT";
                    var definition = TopicConfigs.Find(name);
                    if (definition is null || definition.Type != TopicConfigType.List)
                    {
                        return ConfigOverridesChange.Failed(new ApiError(ErrorCode.InvalidConfig,
                            $"Can't {opName} to key {name} because its type is not LIST."));
                    }
                    var items = ListItems(overrides.GetValueOrDefault(name) ?? definition.DefaultValue);
                    foreach (var item in ListItems(operation.Value!))
                    {
                        if (operation.ConfigOperation == OpSubtract)
                        {
                            items.Remove(item);
                        }
                        else if (!items.Contains(item))
                        {
                            items.Add(item);
                        }
                    }
                    overrides[name] = string.Join(',', items);
                    break;
            }
        }
        return ConfigOverridesChange.To(overrides);
    }

    private static List<string> ListItems(string value)
    {
        var items = new List<string>();
        foreach (var item in value.Split(','))
        {
            if (item.Length > 0)
            {
                items.Add(item);
            }
        }
        return items;
    }
}
