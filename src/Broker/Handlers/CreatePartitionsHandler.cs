using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// CreatePartitions (KIP-195), v0-3: raises topics' partition counts through
/// <see cref="TopicRegistry.CreatePartitions"/>, creating the new partitions' logs.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only increases: the same count is INVALID_PARTITIONS "Topic already has N partition(s).",
/// a lower one "... would not be an increase.", as Kafka's controller says.</item>
/// <item>Assignments, when given, need one replica list per new partition, each naming only this
/// node (else INVALID_REPLICA_ASSIGNMENT).</item>
/// <item>A name given twice: INVALID_REQUEST "Duplicate topic name.", answered once. Unknown topic:
/// UNKNOWN_TOPIC_OR_PARTITION. validateOnly checks without changing anything; timeoutMs is not used.</item>
/// </list>
/// </remarks>
public sealed class CreatePartitionsHandler : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ApiKey ApiKey => ApiKey.CreatePartitions;

    public override ApiVersionRange Versions => new(0, 3);

    public override ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request,
        CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            counts[topic.Name] = counts.GetValueOrDefault(topic.Name) + 1;
        }
        var registry = context.Services.Topics;
        var response = new CreatePartitionsResponse();
        var duplicatesAnswered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            ApiError error;
            if (counts[topic.Name] > 1)
            {
                if (!duplicatesAnswered.Add(topic.Name))
                {
                    continue;
                }
                error = new ApiError(ErrorCode.InvalidRequest, "Duplicate topic name.");
            }
            else
            {
                error = registry.CreatePartitions(topic.Name, topic.Count, Assignments(topic), request.ValidateOnly);
            }
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            });
        }
        return ValueTask.FromResult<CreatePartitionsResponse?>(response);
    }

    private static List<IReadOnlyList<int>>? Assignments(CreatePartitionsRequest.CreatePartitionsTopic topic)
    {
        if (topic.Assignments is null)
        {
            return null;
        }
        var assignments = new List<IReadOnlyList<int>>(topic.Assignments.Count);
        foreach (var assignment in topic.Assignments)
        {
            assignments.Add(assignment.BrokerIds);
        }
        return assignments;
    }
}
