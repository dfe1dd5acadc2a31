using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// CreateTopics, v0-7: creates each topic through <see cref="TopicRegistry.CreateTopic"/>, which
/// applies Kafka's controller checks and messages. Kafka 4 serves v2-7; v0-1 (no validateOnly at v0,
/// no error messages before v1) are served as well since the codec has them.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A name given twice: INVALID_REQUEST "Duplicate topic name." once for it, nothing created
/// under it, as Kafka.</item>
/// <item>-1 partitions or replication factor: the broker's <c>num.partitions</c> /
/// <c>default.replication.factor</c>; a replication factor above 1 cannot be met by one broker
/// (INVALID_REPLICATION_FACTOR); manual assignments must name only this node.</item>
/// <item>validateOnly (v1+): every check runs, nothing is created; the result carries a fresh topic
/// id, as Kafka's does.</item>
/// <item>v5+: a created topic's partition count, replication factor and every topic config with
/// its value and source (DYNAMIC_TOPIC_CONFIG for the values given, STATIC_BROKER_CONFIG for
/// broker-set defaults, DEFAULT_CONFIG otherwise), sorted by name; v7 adds the topic id.</item>
/// <item>timeoutMs is not used: creation is complete when the response is sent.</item>
/// </list>
/// </remarks>
public sealed class CreateTopicsHandler : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey ApiKey => ApiKey.CreateTopics;

    public override ApiVersionRange Versions => new(0, 7);

    public override ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request,
        CancellationToken cancellationToken)
    {
        var registry = context.Services.Topics;
        var validateOnly = context.ApiVersion >= 1 && request.validateOnly;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            counts[topic.Name] = counts.GetValueOrDefault(topic.Name) + 1;
        }
        var response = new CreateTopicsResponse();
        var duplicatesAnswered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            if (counts[topic.Name] > 1)
            {
                if (duplicatesAnswered.Add(topic.Name))
                {
                    response.Topics.Add(Failed(topic.Name, new ApiError(ErrorCode.InvalidRequest, "Duplicate topic name.")));
                }
                continue;
            }
            var creation = registry.CreateTopic(ToNewTopic(topic), validateOnly);
            response.Topics.Add(creation.Topic is { } created
                ? Created(created, registry.Defaults)
                : Failed(topic.Name, creation.Error));
        }
        return ValueTask.FromResult<CreateTopicsResponse?>(response);
    }

    private static NewTopic ToNewTopic(CreateTopicsRequest.CreatableTopic topic)
    {
        var assignments = new List<ReplicaAssignment>(topic.Assignments.Count);
        foreach (var assignment in topic.Assignments)
        {
            assignments.Add(new ReplicaAssignment(assignment.PartitionIndex, assignment.BrokerIds));
        }
        var configs = new List<KeyValuePair<string, string?>>(topic.Configs.Count);
        foreach (var config in topic.Configs)
        {
            configs.Add(new(config.Name, config.Value));
        }
        return new NewTopic(topic.Name, topic.NumPartitions, topic.ReplicationFactor) { Assignments = assignments, Configs = configs };
    }

    private static CreateTopicsResponse.CreatableTopicResult Failed(string name, ApiError error) => new()
    {
        Name = name,
        ErrorCode = (short)error.Code,
        ErrorMessage = error.Message,
    };

    private static CreateTopicsResponse.CreatableTopicResult Created(TopicInfo topic, TopicConfigDefaults defaults)
    {
        var configs = new List<CreateTopicsResponse.CreatableTopicConfigs>(defaults.All.Count);
        foreach (var entry in defaults.All)
        {
            var name = entry.Definition.Name;
            var overridden = topic.Overrides.TryGetValue(name, out var value);
            configs.Add(new CreateTopicsResponse.CreatableTopicConfigs
            {
                Name = name,
                Value = overridden ? value : entry.Value,
                ReadOnly = false,
                ConfigSource = (sbyte)(overridden ? ConfigSource.TopicConfig : entry.Source),
                IsSensitive = false,
            });
        }
        configs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new CreateTopicsResponse.CreatableTopicResult
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            ErrorCode = (short)ErrorCode.None,
            ErrorMessage = null,
            NumPartitions = topic.PartitionCount,
            ReplicationFactor = TopicInfo.ReplicationFactor,
            Configs = configs,
        };
    }
}
