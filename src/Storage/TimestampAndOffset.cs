namespace KafkaSharp.Storage;

/// <summary>
/// A ListOffsets answer: the offset found, the timestamp of that record (-1 when the query was not
/// by timestamp) and the leader epoch of its batch (-1 when storage does not know it).
/// </summary>
public readonly record struct TimestampAndOffset(long Timestamp, long Offset, int LeaderEpoch)
{
    public const long NoTimestamp = -1;
    public const int NoLeaderEpoch = -1;
}
