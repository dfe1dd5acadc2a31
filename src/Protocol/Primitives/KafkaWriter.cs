using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// Writes Kafka's wire encoding into a buffer sized beforehand with the message's <c>Size</c>
/// (size-then-write; running past the end is a sizing bug and throws).
/// </summary>
/// <remarks>
/// Records: a <see cref="MemoryRecords"/> is copied into the buffer. Any other
/// <see cref="BaseRecords"/> (a file slice) is not: the writer writes its length prefix and adds a
/// <see cref="RecordsSplice"/> to the list given at construction, and the transport sends those
/// bytes right after <c>buffer[..BufferOffset]</c>. So the buffer needs Size minus the spliced
/// records' sizes. Writing such records without a splice list throws InvalidOperationException.
/// The static <c>SizeOf*</c> methods are the size counterparts used by generated <c>Size</c> methods.
/// </remarks>
public ref struct KafkaWriter
{
    private readonly Span<byte> _buffer;
    private readonly List<RecordsSplice>? _splices;
    private int _position;

    public KafkaWriter(Span<byte> buffer, List<RecordsSplice>? splices = null)
    {
        _buffer = buffer;
        _splices = splices;
    }

    /// <summary>Bytes written into the buffer so far (spliced records not counted).</summary>
    public readonly int Position => _position;

    public void WriteInt8(sbyte value) => _buffer[_position++] = (byte)value;

    public void WriteBool(bool value) => _buffer[_position++] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteUInt16(ushort value) => WriteInt16((short)value);

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteUInt32(uint value) => WriteInt32((int)value);

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteFloat64(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

    public void WriteUuid(KafkaUuid value)
    {
        value.Write(_buffer[_position..]);
        _position += KafkaUuid.Size;
    }

    public void WriteUnsignedVarInt(uint value) => _position += VarInt.WriteUInt32(_buffer[_position..], value);

    public void WriteVarInt(int value) => _position += VarInt.WriteInt32(_buffer[_position..], value);

    public void WriteVarLong(long value) => _position += VarInt.WriteInt64(_buffer[_position..], value);

    public void WriteRawBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>A non-null string, UTF-8 encoded straight into the buffer.</summary>
    public void WriteString(string value, bool flexible)
    {
        // Encode first into the spot after the shortest possible prefix, then write the prefix; only
        // when a flexible prefix could need more than one byte is the length counted beforehand.
        if (!flexible)
        {
            int length = Encoding.UTF8.GetBytes(value, _buffer[(_position + 2)..]);
            if (length > short.MaxValue)
            {
                ThrowStringTooLong(length);
            }
            BinaryPrimitives.WriteInt16BigEndian(_buffer[_position..], (short)length);
            _position += 2 + length;
        }
        else if (value.Length < 42)
        {
            // At most 3 UTF-8 bytes per UTF-16 char, so the length+1 fits one varint byte.
            int length = Encoding.UTF8.GetBytes(value, _buffer[(_position + 1)..]);
            _buffer[_position] = (byte)(length + 1);
            _position += 1 + length;
        }
        else
        {
            WriteUnsignedVarInt((uint)Encoding.UTF8.GetByteCount(value) + 1);
            _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
        }
    }

    public void WriteNullableString(string? value, bool flexible)
    {
        if (value is null)
        {
            WriteNullMarker(flexible, wide: false);
            return;
        }
        WriteString(value, flexible);
    }

    public void WriteBytes(byte[] value, bool flexible)
    {
        WriteBytesLength(value.Length, flexible);
        WriteRawBytes(value);
    }

    public void WriteNullableBytes(byte[]? value, bool flexible)
    {
        if (value is null)
        {
            WriteNullMarker(flexible, wide: true);
            return;
        }
        WriteBytes(value, flexible);
    }

    /// <summary>A records field: copied if in memory, otherwise spliced (see the type's remarks).</summary>
    public void WriteRecords(BaseRecords? records, bool flexible)
    {
        if (records is null)
        {
            WriteNullMarker(flexible, wide: true);
            return;
        }
        WriteBytesLength(records.SizeInBytes, flexible);
        if (records is MemoryRecords memory)
        {
            WriteRawBytes(memory.Buffer.Span);
            return;
        }
        if (_splices is null)
        {
            ThrowNoSpliceList(records);
        }
        _splices.Add(new RecordsSplice(_position, records));
    }

    public void WriteArray<T, TCodec>(List<T> values, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        WriteArrayCount(values.Count, flexible);
        for (int i = 0; i < values.Count; i++)
        {
            TCodec.Write(ref this, values[i], flexible);
        }
    }

    public void WriteNullableArray<T, TCodec>(List<T>? values, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        if (values is null)
        {
            WriteNullMarker(flexible, wide: true);
            return;
        }
        WriteArray<T, TCodec>(values, flexible);
    }

    public void WriteStructArray<T>(List<T> values, short version, bool flexible) where T : IKafkaMessage
    {
        WriteArrayCount(values.Count, flexible);
        for (int i = 0; i < values.Count; i++)
        {
            values[i].Write(ref this, version);
        }
    }

    public void WriteNullableStructArray<T>(List<T>? values, short version, bool flexible) where T : IKafkaMessage
    {
        if (values is null)
        {
            WriteNullMarker(flexible, wide: true);
            return;
        }
        WriteStructArray(values, version, flexible);
    }

    /// <summary>A nullable struct: presence byte -1 for null, 1 followed by the struct.</summary>
    public void WriteNullableStruct<T>(T? value, short version) where T : class, IKafkaMessage
    {
        if (value is null)
        {
            WriteInt8(-1);
            return;
        }
        WriteInt8(1);
        value.Write(ref this, version);
    }

    /// <summary>A tagged-field section holding only raw (unknown) fields.</summary>
    public void WriteTaggedFields(List<RawTaggedField>? fields)
    {
        WriteTaggedFieldCount(fields, 0);
        int index = 0;
        WriteRawTaggedFields(fields, ref index, int.MaxValue);
    }

    /// <summary>The count that opens a tagged-field section: the known fields plus the raw ones.</summary>
    public void WriteTaggedFieldCount(List<RawTaggedField>? fields, int knownCount) =>
        WriteUnsignedVarInt((uint)(knownCount + (fields?.Count ?? 0)));

    /// <summary>
    /// Writes the raw fields from <paramref name="index"/> whose tag is below <paramref name="beforeTag"/>,
    /// so raw and known fields come out in ascending tag order.
    /// </summary>
    public void WriteRawTaggedFields(List<RawTaggedField>? fields, ref int index, int beforeTag)
    {
        if (fields is null)
        {
            return;
        }
        for (; index < fields.Count && fields[index].Tag < beforeTag; index++)
        {
            RawTaggedField field = fields[index];
            WriteTaggedFieldHeader(field.Tag, field.Data.Length);
            WriteRawBytes(field.Data);
        }
    }

    public void WriteTaggedFieldHeader(int tag, int size)
    {
        WriteUnsignedVarInt((uint)tag);
        WriteUnsignedVarInt((uint)size);
    }

    public static int SizeOfUnsignedVarInt(uint value) => VarInt.SizeOfUInt32(value);

    public static int SizeOfString(string value, bool flexible)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        return (flexible ? VarInt.SizeOfUInt32((uint)length + 1) : 2) + length;
    }

    public static int SizeOfNullableString(string? value, bool flexible) =>
        value is null ? (flexible ? 1 : 2) : SizeOfString(value, flexible);

    public static int SizeOfBytes(byte[] value, bool flexible) => SizeOfBytesLength(value.Length, flexible) + value.Length;

    public static int SizeOfNullableBytes(byte[]? value, bool flexible) =>
        value is null ? (flexible ? 1 : 4) : SizeOfBytes(value, flexible);

    /// <summary>Counts every records byte, spliced or not: this is the size on the wire.</summary>
    public static int SizeOfRecords(BaseRecords? records, bool flexible) =>
        records is null ? (flexible ? 1 : 4) : SizeOfBytesLength(records.SizeInBytes, flexible) + records.SizeInBytes;

    public static int SizeOfArray<T, TCodec>(List<T> values, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        int size = SizeOfBytesLength(values.Count, flexible);
        for (int i = 0; i < values.Count; i++)
        {
            size += TCodec.Size(values[i], flexible);
        }
        return size;
    }

    public static int SizeOfNullableArray<T, TCodec>(List<T>? values, bool flexible) where TCodec : struct, IElementCodec<T> =>
        values is null ? (flexible ? 1 : 4) : SizeOfArray<T, TCodec>(values, flexible);

    public static int SizeOfStructArray<T>(List<T> values, short version, bool flexible) where T : IKafkaMessage
    {
        int size = SizeOfBytesLength(values.Count, flexible);
        for (int i = 0; i < values.Count; i++)
        {
            size += values[i].Size(version);
        }
        return size;
    }

    public static int SizeOfNullableStructArray<T>(List<T>? values, short version, bool flexible) where T : IKafkaMessage =>
        values is null ? (flexible ? 1 : 4) : SizeOfStructArray(values, version, flexible);

    public static int SizeOfNullableStruct<T>(T? value, short version) where T : class, IKafkaMessage =>
        value is null ? 1 : 1 + value.Size(version);

    /// <summary>One known tagged field: tag, size, then <paramref name="size"/> value bytes.</summary>
    public static int SizeOfTaggedField(int tag, int size) =>
        VarInt.SizeOfUInt32((uint)tag) + VarInt.SizeOfUInt32((uint)size) + size;

    /// <summary>The section's count (known plus raw fields) and the raw fields; known fields are added by the caller.</summary>
    public static int SizeOfTaggedFields(List<RawTaggedField>? fields, int knownCount)
    {
        int size = VarInt.SizeOfUInt32((uint)(knownCount + (fields?.Count ?? 0)));
        if (fields is not null)
        {
            for (int i = 0; i < fields.Count; i++)
            {
                size += SizeOfTaggedField(fields[i].Tag, fields[i].Data.Length);
            }
        }
        return size;
    }

    /// <summary>Generated writers call this for a non-ignorable field that holds a non-default value at a version without it.</summary>
    [DoesNotReturn]
    public static void ThrowUnsupportedField(string field, short version) =>
        throw new UnsupportedVersionException($"{field} has a non-default value but version {version} cannot carry it.");

    /// <summary>Generated writers call this for a null value at a version where the field is not nullable.</summary>
    [DoesNotReturn]
    public static void ThrowNullNotAllowed(string field, short version) =>
        throw new UnsupportedVersionException($"{field} is null but is not nullable in version {version}.");

    private static int SizeOfBytesLength(int length, bool flexible) =>
        flexible ? VarInt.SizeOfUInt32((uint)length + 1) : 4;

    private void WriteBytesLength(int length, bool flexible)
    {
        if (flexible)
        {
            WriteUnsignedVarInt((uint)length + 1);
        }
        else
        {
            WriteInt32(length);
        }
    }

    private void WriteArrayCount(int count, bool flexible) => WriteBytesLength(count, flexible);

    /// <summary>Null is length -1 (int16 for strings, int32 otherwise), or 0 in the compact encoding.</summary>
    private void WriteNullMarker(bool flexible, bool wide)
    {
        if (flexible)
        {
            WriteUnsignedVarInt(0);
        }
        else if (wide)
        {
            WriteInt32(-1);
        }
        else
        {
            WriteInt16(-1);
        }
    }

    [DoesNotReturn]
    private static void ThrowStringTooLong(int length) =>
        throw new InvalidOperationException($"A string of {length} UTF-8 bytes does not fit Kafka's int16 length.");

    [DoesNotReturn]
    private static void ThrowNoSpliceList(BaseRecords records) =>
        throw new InvalidOperationException(
            $"{records.GetType().Name} is not copied into the buffer; construct the KafkaWriter with a RecordsSplice list.");
}
