namespace KafkaSharp.Protocol.Records;

/// <summary>One header of a record, viewed in place: a UTF-8 key and a nullable value.</summary>
public readonly ref struct RecordHeader
{
    private RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
    {
        Key = key;
        Value = value;
        IsValueNull = isValueNull;
    }

    /// <summary>The key as UTF-8 bytes (Kafka header keys are strings and never null).</summary>
    public ReadOnlySpan<byte> Key { get; }

    public ReadOnlySpan<byte> Value { get; }

    public bool IsValueNull { get; }

    /// <summary>Reads a header at <paramref name="position"/>; a negative key length is invalid, as in Kafka.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> source, scoped ref int position, out RecordHeader header)
    {
        header = default;
        if (!Record.TryReadBytes(source, ref position, out ReadOnlySpan<byte> key, out bool isKeyNull)
            || isKeyNull
            || !Record.TryReadBytes(source, ref position, out ReadOnlySpan<byte> value, out bool isValueNull))
        {
            return false;
        }
        header = new RecordHeader(key, value, isValueNull);
        return true;
    }
}

/// <summary>Walks the headers of a record that <see cref="Record.TryRead"/> has already checked.</summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> headers;
    private int position;
    private int headersLeft;
    private RecordHeader current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> headers, int headerCount)
    {
        this.headers = headers;
        headersLeft = headerCount;
    }

    public readonly RecordHeader Current => current;

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (headersLeft <= 0 || !RecordHeader.TryRead(headers, ref position, out current))
        {
            return false;
        }
        headersLeft--;
        return true;
    }
}
