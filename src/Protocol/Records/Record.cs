using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// One record of a magic-2 batch, viewed in place (nothing is copied). Its layout:
/// <code>
/// length          varint   bytes after this field
/// attributes      int8     unused, kept as read
/// timestampDelta  varlong  from the batch's BaseTimestamp
/// offsetDelta     varint   from the batch's BaseOffset
/// keyLength       varint   negative: null key
/// key             bytes
/// valueLength     varint   negative: null value
/// value           bytes
/// headerCount     varint   never negative
///   headerKeyLength   varint   never negative (UTF-8 string)
///   headerKey         bytes
///   headerValueLength varint   negative: null value
///   headerValue       bytes
/// </code>
/// Like Kafka's <c>DefaultRecord.readFrom</c>, a record must end exactly where its length says.
/// </summary>
public readonly ref struct Record
{
    private readonly ReadOnlySpan<byte> headers;

    private Record(
        int sizeInBytes, byte attributes, long timestampDelta, int offsetDelta,
        ReadOnlySpan<byte> key, bool isKeyNull, ReadOnlySpan<byte> value, bool isValueNull,
        int headerCount, ReadOnlySpan<byte> headers)
    {
        SizeInBytes = sizeInBytes;
        Attributes = attributes;
        TimestampDelta = timestampDelta;
        OffsetDelta = offsetDelta;
        Key = key;
        IsKeyNull = isKeyNull;
        Value = value;
        IsValueNull = isValueNull;
        HeaderCount = headerCount;
        this.headers = headers;
    }

    /// <summary>Bytes the record occupies, its length varint included.</summary>
    public int SizeInBytes { get; }

    public byte Attributes { get; }

    public long TimestampDelta { get; }

    public int OffsetDelta { get; }

    /// <summary>The key's bytes; empty when <see cref="IsKeyNull"/>.</summary>
    public ReadOnlySpan<byte> Key { get; }

    public bool IsKeyNull { get; }

    /// <summary>The value's bytes; empty when <see cref="IsValueNull"/> (a tombstone).</summary>
    public ReadOnlySpan<byte> Value { get; }

    public bool IsValueNull { get; }

    public int HeaderCount { get; }

    public RecordHeaderEnumerator Headers => new(headers, HeaderCount);

    /// <summary>
    /// Reads the record at the start of <paramref name="source"/>, checking every length against the
    /// record's own length. False when the record is malformed or cut short.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Record record, out int consumed)
    {
        record = default;
        consumed = VarInt.ReadInt32(source, out int length);
        if (consumed == 0 || length <= 0 || length > source.Length - consumed)
        {
            return false;
        }
        ReadOnlySpan<byte> body = source.Slice(consumed, length);
        consumed += length;
        return TryReadBody(body, consumed, out record);
    }

    private static bool TryReadBody(ReadOnlySpan<byte> body, int sizeInBytes, out Record record)
    {
        record = default;
        byte attributes = body[0];
        int position = 1;
        if (!TryReadVarLong(body, ref position, out long timestampDelta)
            || !TryReadVarInt(body, ref position, out int offsetDelta)
            || !TryReadBytes(body, ref position, out ReadOnlySpan<byte> key, out bool isKeyNull)
            || !TryReadBytes(body, ref position, out ReadOnlySpan<byte> value, out bool isValueNull)
            || !TryReadVarInt(body, ref position, out int headerCount)
            || headerCount < 0)
        {
            return false;
        }
        ReadOnlySpan<byte> headers = body[position..];
        for (int i = 0; i < headerCount; i++)
        {
            if (!RecordHeader.TryRead(body, ref position, out _))
            {
                return false;
            }
        }
        if (position != body.Length)
        {
            return false;
        }
        record = new Record(sizeInBytes, attributes, timestampDelta, offsetDelta, key, isKeyNull, value, isValueNull, headerCount, headers);
        return true;
    }

    private static bool TryReadVarInt(ReadOnlySpan<byte> source, scoped ref int position, out int value)
    {
        int read = VarInt.ReadInt32(source[position..], out value);
        position += read;
        return read != 0;
    }

    private static bool TryReadVarLong(ReadOnlySpan<byte> source, scoped ref int position, out long value)
    {
        int read = VarInt.ReadInt64(source[position..], out value);
        position += read;
        return read != 0;
    }

    /// <summary>A varint length and that many bytes; a negative length is null, as Kafka reads it.</summary>
    internal static bool TryReadBytes(ReadOnlySpan<byte> source, scoped ref int position, out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        bytes = default;
        isNull = false;
        if (!TryReadVarInt(source, ref position, out int length))
        {
            return false;
        }
        if (length < 0)
        {
            isNull = true;
            return true;
        }
        if (length > source.Length - position)
        {
            return false;
        }
        bytes = source.Slice(position, length);
        position += length;
        return true;
    }
}
