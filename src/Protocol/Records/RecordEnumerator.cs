namespace KafkaSharp.Protocol.Records;

/// <summary>
/// Walks the records of one batch's uncompressed records section (after the 61-byte header, or the
/// output of decompression). Stops at the batch's record count, or at the first malformed record,
/// which it reports through <see cref="HasError"/> rather than by throwing.
/// </summary>
public ref struct RecordEnumerator
{
    private ReadOnlySpan<byte> remaining;
    private int recordsLeft;
    private Record current;

    public RecordEnumerator(ReadOnlySpan<byte> records, int recordCount)
    {
        remaining = records;
        recordsLeft = recordCount;
    }

    public readonly Record Current => current;

    /// <summary>True once a record failed to parse; enumeration has stopped there.</summary>
    public bool HasError { get; private set; }

    /// <summary>Bytes after the records read so far; zero after the last record of a well-formed batch.</summary>
    public readonly int BytesRemaining => remaining.Length;

    public readonly RecordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (recordsLeft <= 0 || HasError)
        {
            return false;
        }
        if (!Record.TryRead(remaining, out current, out int consumed))
        {
            HasError = true;
            return false;
        }
        remaining = remaining[consumed..];
        recordsLeft--;
        return true;
    }
}
