using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DeleteTopics, v0-6: deletes topics by name (TopicNames before v6, Topics[].Name from v6) or by id
/// (v6), with their partition logs. Kafka 4 serves v1-6.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>delete.topic.enable=false</c>: every topic answers TOPIC_DELETION_DISABLED (INVALID_REQUEST
/// before v3, which has no such code), nothing is deleted.</item>
/// <item>Unknown name: UNKNOWN_TOPIC_OR_PARTITION; unknown id: UNKNOWN_TOPIC_ID (null name).
/// Both a name and an id, or neither: INVALID_REQUEST. A name or id given twice: INVALID_REQUEST
/// "Duplicate topic name." / "Duplicate topic id.", answered once; a name whose topic is also given
/// by id: INVALID_REQUEST for the name (Kafka then leaves the id unanswered; here it is deleted).
/// Messages as Kafka's controller.</item>
/// <item>A deleted topic's result carries its name and topic id. Deletion is complete when the
/// response is sent (timeoutMs is not used); the logs' files go after <c>file.delete.delay.ms</c>.</item>
/// </list>
/// </remarks>
public sealed class DeleteTopicsHandler : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteTopics;

    public override ApiVersionRange Versions => new(0, 6);

    public override ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request,
        CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var topics = Requested(request, version);
        var response = new DeleteTopicsResponse();
        if (!context.Services.Config.DeleteTopicEnable)
        {
            var error = version < 3 ? ErrorCode.InvalidRequest : ErrorCode.TopicDeletionDisabled;
            foreach (var topic in topics)
            {
                response.Responses.Add(Result(topic.Name, topic.TopicId, new ApiError(error, null)));
            }
            return Respond(response);
        }
        var nameCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var idCounts = new Dictionary<KafkaUuid, int>();
        foreach (var topic in topics)
        {
            if (topic.Name is { } name && topic.TopicId.IsZero)
            {
                nameCounts[name] = nameCounts.GetValueOrDefault(name) + 1;
            }
            else if (topic.Name is null && !topic.TopicId.IsZero)
            {
                idCounts[topic.TopicId] = idCounts.GetValueOrDefault(topic.TopicId) + 1;
            }
        }
        var answeredNames = new HashSet<string>(StringComparer.Ordinal);
        var answeredIds = new HashSet<KafkaUuid>();
        var registry = context.Services.Topics;
        foreach (var topic in topics)
        {
            if (topic.Name is null && topic.TopicId.IsZero)
            {
                response.Responses.Add(Result(null, KafkaUuid.Zero, new ApiError(ErrorCode.InvalidRequest, "Neither topic name nor id were specified.")));
            }
            else if (topic.Name is not null && !topic.TopicId.IsZero)
            {
                response.Responses.Add(Result(topic.Name, topic.TopicId, new ApiError(ErrorCode.InvalidRequest, "You may not specify both topic name and topic id.")));
            }
            else if (topic.Name is { } name)
            {
                if (nameCounts[name] > 1)
                {
                    if (answeredNames.Add(name))
                    {
                        response.Responses.Add(Result(name, KafkaUuid.Zero, new ApiError(ErrorCode.InvalidRequest, "Duplicate topic name.")));
                    }
                }
                else if (registry.TryGetTopic(name, out var named) && idCounts.ContainsKey(named.TopicId))
                {
                    response.Responses.Add(Result(name, named.TopicId,
                        new ApiError(ErrorCode.InvalidRequest, "The provided topic name maps to an ID that was already supplied.")));
                }
                else
                {
                    var error = registry.DeleteTopic(name, out var deleted);
                    response.Responses.Add(Result(name, deleted?.TopicId ?? KafkaUuid.Zero, error));
                }
            }
            else if (idCounts[topic.TopicId] > 1)
            {
                if (answeredIds.Add(topic.TopicId))
                {
                    response.Responses.Add(Result(null, topic.TopicId, new ApiError(ErrorCode.InvalidRequest, "Duplicate topic id.")));
                }
            }
            else
            {
                var error = registry.DeleteTopic(topic.TopicId, out var deleted);
                response.Responses.Add(Result(deleted?.Name, topic.TopicId, error));
            }
        }
        return Respond(response);
    }

    /// <summary>The topics of the request, whichever version's field holds them.</summary>
    private static List<DeleteTopicsRequest.DeleteTopicState> Requested(DeleteTopicsRequest request, short version)
    {
        if (version >= 6)
        {
            return request.Topics;
        }
        var topics = new List<DeleteTopicsRequest.DeleteTopicState>(request.TopicNames.Count);
        foreach (var name in request.TopicNames)
        {
            topics.Add(new DeleteTopicsRequest.DeleteTopicState { Name = name });
        }
        return topics;
    }

    private static DeleteTopicsResponse.DeletableTopicResult Result(string? name, KafkaUuid topicId, ApiError error) => new()
    {
        Name = name,
        TopicId = topicId,
        ErrorCode = (short)error.Code,
        ErrorMessage = error.Message,
    };

    private static ValueTask<DeleteTopicsResponse?> Respond(DeleteTopicsResponse response) =>
        ValueTask.FromResult<DeleteTopicsResponse?>(response);
}
