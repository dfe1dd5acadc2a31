using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// Metadata, v0-13: this node as the whole cluster (the only broker, the controller, the leader and
/// sole in-sync replica of every partition at leader epoch 0) and the requested topics.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>All topics when Topics is null, or empty at v0; otherwise the named topics (duplicates
/// answered once), or from v12 the topics named by id when any id is set (an unknown id gets
/// UNKNOWN_TOPIC_ID with a null name). v10-11 with a null name or a topic id: INVALID_REQUEST for
/// every topic, as Kafka answers.</item>
/// <item>The broker is advertised with the host and port of the listener the request came in on.</item>
/// <item>An unknown topic is created when <c>auto.create.topics.enable</c> is true and the client
/// allows it (AllowAutoTopicCreation from v4; always before), with <c>num.partitions</c> and
/// <c>default.replication.factor</c>. Like a Kafka 4 (KRaft) broker, this response still answers
/// UNKNOWN_TOPIC_OR_PARTITION for it; the client's next Metadata request sees the topic. An illegal
/// name gets INVALID_TOPIC_EXCEPTION and is never created.</item>
/// <item>Authorized operations: -2147483648 (not requested) unless asked for; when asked, every
/// operation Kafka supports on the resource (there is no authorizer). Cluster operations only at
/// v8-10, as Kafka (v11 moved them to DescribeCluster).</item>
/// </list>
/// </remarks>
public sealed class MetadataHandler : ApiHandler<MetadataRequest, MetadataResponse>
{
    /// <summary>Kafka's AclOperation bits a topic supports: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.</summary>
    public const int AllTopicOperations = 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 10 | 1 << 11;

    /// <summary>Kafka's AclOperation bits the cluster supports: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.</summary>
    public const int AllClusterOperations = 1 << 5 | 1 << 7 | 1 << 8 | 1 << 9 | 1 << 10 | 1 << 11 | 1 << 12;

    public override ApiKey ApiKey => ApiKey.Metadata;

    public override ApiVersionRange Versions => new(0, 13);

    public override ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request,
        CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var requested = request.Topics;
        var allTopics = requested is null || (version == 0 && requested.Count == 0);
        var byId = false;
        if (!allTopics)
        {
            foreach (var topic in requested!)
            {
                if (version < 12 && (topic.Name is null || !topic.TopicId.IsZero))
                {
                    return Respond(ErrorResponse(requested, ErrorCode.InvalidRequest));
                }
                byId |= !topic.TopicId.IsZero;
            }
        }
        var services = context.Services;
        var nodeId = services.NodeId;
        var advertised = context.Listener.Advertised;
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = nodeId, Host = advertised.Host, Port = advertised.Port, Rack = null }],
            ClusterId = services.ClusterId,
            ControllerId = nodeId,
        };
        if (allTopics)
        {
            foreach (var topic in services.Topics.Topics)
            {
                response.Topics.Add(Describe(topic, nodeId));
            }
        }
        else if (byId)
        {
            AddTopicsById(response, requested!, services);
        }
        else if (!AddTopicsByName(response, requested!, services, version, request.AllowAutoTopicCreation))
        {
            return Respond(ErrorResponse(requested!, ErrorCode.InvalidRequest));
        }
        if (version >= 8)
        {
            if (request.IncludeTopicAuthorizedOperations)
            {
                foreach (var topic in response.Topics)
                {
                    if (topic.ErrorCode != (short)ErrorCode.UnknownTopicId)
                    {
                        topic.TopicAuthorizedOperations = AllTopicOperations;
                    }
                }
            }
            if (version <= 10 && request.IncludeClusterAuthorizedOperations)
            {
                response.ClusterAuthorizedOperations = AllClusterOperations;
            }
        }
        return Respond(response);
    }

    private static void AddTopicsById(MetadataResponse response, List<MetadataRequest.MetadataRequestTopic> requested,
        BrokerServices services)
    {
        var seen = new HashSet<KafkaUuid>();
        foreach (var topic in requested)
        {
            if (topic.TopicId.IsZero || !seen.Add(topic.TopicId))
            {
                continue;
            }
            response.Topics.Add(services.Topics.TryGetTopic(topic.TopicId, out var info)
                ? Describe(info, services.NodeId)
                : new MetadataResponse.MetadataResponseTopic
                {
                    ErrorCode = (short)ErrorCode.UnknownTopicId,
                    Name = null,
                    TopicId = topic.TopicId,
                });
        }
    }

    /// <summary>Adds the named topics, auto-creating unknown ones when allowed; false for a null name (a malformed request).</summary>
    private static bool AddTopicsByName(MetadataResponse response, List<MetadataRequest.MetadataRequestTopic> requested,
        BrokerServices services, short version, bool allowAutoTopicCreation)
    {
        var autoCreate = services.Config.AutoCreateTopicsEnable && (version < 4 || allowAutoTopicCreation);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in requested)
        {
            if (topic.Name is not { } name)
            {
                return false;
            }
            if (!seen.Add(name))
            {
                continue;
            }
            if (services.Topics.TryGetTopic(name, out var info))
            {
                response.Topics.Add(Describe(info, services.NodeId));
                continue;
            }
            var error = ErrorCode.UnknownTopicOrPartition;
            if (TopicNames.Validate(name) is not null)
            {
                error = ErrorCode.InvalidTopicException;
            }
            else if (autoCreate && InternalTopics.ForAutoCreation(name, services.Config) is { } newTopic)
            {
                // Kafka 4 answers this request before the controller creates the topic; the outcome
                // (logged by the registry) shows in the next Metadata response.
                services.Topics.CreateTopic(newTopic, validateOnly: false);
            }
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic
            {
                ErrorCode = (short)error,
                Name = name,
                IsInternal = TopicNames.IsInternal(name),
            });
        }
        return true;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicInfo topic, int nodeId)
    {
        var partitions = new List<MetadataResponse.MetadataResponsePartition>(topic.PartitionCount);
        for (var partition = 0; partition < topic.PartitionCount; partition++)
        {
            partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = partition,
                LeaderId = nodeId,
                LeaderEpoch = TopicInfo.LeaderEpoch,
                ReplicaNodes = [nodeId],
                IsrNodes = [nodeId],
                OfflineReplicas = [],
            });
        }
        return new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = topic.IsInternal,
            Partitions = partitions,
        };
    }

    /// <summary>Kafka's answer to a request it rejects as a whole: the error on every requested topic, no brokers.</summary>
    private static MetadataResponse ErrorResponse(List<MetadataRequest.MetadataRequestTopic> requested, ErrorCode error)
    {
        var response = new MetadataResponse();
        foreach (var topic in requested)
        {
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic
            {
                ErrorCode = (short)error,
                Name = topic.Name ?? "",
                TopicId = topic.TopicId,
            });
        }
        return response;
    }

    private static ValueTask<MetadataResponse?> Respond(MetadataResponse response) => ValueTask.FromResult<MetadataResponse?>(response);
}
