namespace KafkaSharp.Storage;

/// <summary>
/// What a producer's state keeps of one batch it appended (Kafka's BatchMetadata): enough to
/// recognise a retry of it (its sequence range) and to answer the retry with the batch's original
/// offsets. Sequences wrap from <see cref="int.MaxValue"/> to 0, as producers number them.
/// </summary>
/// <param name="LastSequence">The sequence of the batch's last record.</param>
/// <param name="LastOffset">The offset of the batch's last record.</param>
/// <param name="OffsetDelta">LastOffset minus the batch's first offset (its LastOffsetDelta).</param>
/// <param name="Timestamp">The batch's MaxTimestamp.</param>
internal readonly record struct BatchMetadata(int LastSequence, long LastOffset, int OffsetDelta, long Timestamp)
{
    public int FirstSequence => DecrementSequence(LastSequence, OffsetDelta);

    public long FirstOffset => LastOffset - OffsetDelta;

    /// <summary>The sequence <paramref name="increment"/> records after <paramref name="sequence"/>, wrapping past int.MaxValue to 0.</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    /// <summary>The sequence <paramref name="decrement"/> records before <paramref name="sequence"/>, wrapping below 0 to int.MaxValue.</summary>
    public static int DecrementSequence(int sequence, int decrement) =>
        sequence < decrement ? int.MaxValue - (decrement - sequence) + 1 : sequence - decrement;
}
