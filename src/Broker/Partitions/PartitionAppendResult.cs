using KafkaSharp.Protocol;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>One record Kafka's LogValidator rejected: its index in its batch and why (produce v8+ RecordErrors).</summary>
public readonly record struct RecordError(int BatchIndex, string Message)
{
    /// <summary>Kafka's <c>RecordError.toString</c>, which its summary messages quote.</summary>
    public override string ToString() => $"RecordError(batchIndex={BatchIndex}, message='{Message}')";
}

/// <summary>
/// What appending one partition's records came to: the offsets the log assigned, or the error code the
/// produce response carries, with Kafka's message (v8+ ErrorMessage; null where Kafka sends none) and
/// the per-record errors where Kafka lists them.
/// </summary>
public readonly record struct PartitionAppendResult(
    ErrorCode Error, string? ErrorMessage, IReadOnlyList<RecordError>? RecordErrors, LogAppendInfo Info)
{
    public bool IsSuccess => Error == ErrorCode.None;

    public static PartitionAppendResult Appended(LogAppendInfo info) => new(ErrorCode.None, null, null, info);

    public static PartitionAppendResult Failed(ErrorCode error, string? message = null, IReadOnlyList<RecordError>? recordErrors = null) =>
        new(error, message, recordErrors, new LogAppendInfo(LogAppendError.None, -1, -1, -1, -1));
}
