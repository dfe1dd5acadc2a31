namespace KafkaSharp.Broker.Groups;

/// <summary>
/// A committed offset of one partition, as Kafka keeps it: the offset the group resumes from, the
/// leader epoch of the last consumed record (-1 when unknown), the client's metadata string, when it
/// was committed, and, for commits that asked for their own retention (OffsetCommit v2-4 or v1 with
/// a commit timestamp), when it expires (-1 otherwise). <see cref="RecordOffset"/> is the offset of
/// the record in <c>__consumer_offsets</c> that holds it, so a later commit always wins even when two
/// appends complete out of order.
/// </summary>
internal sealed record OffsetAndMetadata(
    long CommittedOffset,
    int LeaderEpoch,
    string Metadata,
    long CommitTimestampMs,
    long ExpireTimestampMs,
    long RecordOffset)
{
    public const int NoLeaderEpoch = -1;

    public const long NoExpireTimestamp = -1;

    /// <summary>
    /// Kafka's expiration rule: an explicit expire timestamp wins; otherwise the offset expires
    /// <paramref name="retentionMs"/> after <paramref name="baseTimestampMs"/> (when the group became
    /// empty, or the commit time, depending on the group).
    /// </summary>
    public bool IsExpired(long nowMs, long baseTimestampMs, long retentionMs) =>
        ExpireTimestampMs != NoExpireTimestamp ? nowMs >= ExpireTimestampMs : nowMs - baseTimestampMs >= retentionMs;
}
