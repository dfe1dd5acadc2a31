using KafkaSharp.Protocol;

namespace KafkaSharp.Broker.Metadata;

/// <summary>
/// An error code with the message a client shows, as Kafka's <c>ApiError</c>: the message is null
/// when there is nothing to add to the code (success, or a failure Kafka reports without text).
/// </summary>
public readonly record struct ApiError(ErrorCode Code, string? Message)
{
    public static readonly ApiError None = new(ErrorCode.None, null);

    public bool IsSuccess => Code == ErrorCode.None;

    public bool IsFailure => Code != ErrorCode.None;

    /// <summary>The error with Kafka's standard text for its code (Kafka's <c>new ApiError(Errors)</c>).</summary>
    public static ApiError WithDefaultMessage(ErrorCode code) => new(code, DefaultMessage(code));

    /// <summary>Kafka's <c>Errors</c> message for the codes the metadata handlers return without their own text.</summary>
    public static string? DefaultMessage(ErrorCode code) => code switch
    {
        ErrorCode.UnknownTopicOrPartition => "This server does not host this topic-partition.",
        ErrorCode.InvalidTopicException => "The request attempted to perform an operation on an invalid topic.",
        ErrorCode.UnknownTopicId => "This server does not host this topic ID.",
        ErrorCode.InvalidRequest => "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.",
        ErrorCode.TopicDeletionDisabled => "Topic deletion is disabled.",
        ErrorCode.InvalidConfig => "Configuration is invalid.",
        ErrorCode.KafkaStorageError => "Disk error when trying to access log file on the disk.",
        _ => null,
    };

    public override string ToString() => Message is null ? Code.ToString() : $"{Code} ({Message})";
}
