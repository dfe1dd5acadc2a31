namespace KafkaSharp.Storage;

/// <summary>The special timestamps of a ListOffsets request (Kafka's ListOffsetsRequest constants).</summary>
public static class ListOffsetsTimestamp
{
    /// <summary>The offset after the last readable record (the high watermark or last stable offset).</summary>
    public const long Latest = -1;

    /// <summary>The log start offset.</summary>
    public const long Earliest = -2;

    /// <summary>The offset of the record with the largest timestamp.</summary>
    public const long MaxTimestamp = -3;

    /// <summary>The first offset on local disk; the log start offset, as there is no tiered storage.</summary>
    public const long EarliestLocal = -4;

    /// <summary>The highest offset in tiered storage; -1 without tiered storage.</summary>
    public const long LatestTiered = -5;
}
