using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// Reads Kafka's wire encoding from a buffer with a sticky error, so generated decoders need no
/// per-field checks: the first truncated or malformed value sets <see cref="HasError"/>, moves the
/// position to the end, and from then on every read returns a default. Nothing here throws on bad
/// input, and a length or count larger than the remaining bytes fails before anything is allocated.
/// The caller checks <see cref="HasError"/> once after decoding a whole message.
/// </summary>
/// <remarks>
/// Holds both the memory (so <c>records</c> fields become <see cref="MemoryRecords"/> slices of the
/// input, never copies) and its span (so fixed-width reads stay cheap).
/// </remarks>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;
    private bool _hasError;

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _memory = buffer;
        _span = buffer.Span;
    }

    public readonly bool HasError => _hasError;

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public sbyte ReadInt8()
    {
        int p = _position;
        if (p >= _span.Length)
        {
            Fail();
            return 0;
        }
        _position = p + 1;
        return (sbyte)_span[p];
    }

    public bool ReadBool() => ReadInt8() != 0;

    public short ReadInt16()
    {
        int p = _position;
        if (_span.Length - p < 2)
        {
            Fail();
            return 0;
        }
        _position = p + 2;
        return BinaryPrimitives.ReadInt16BigEndian(_span[p..]);
    }

    public ushort ReadUInt16() => (ushort)ReadInt16();

    public int ReadInt32()
    {
        int p = _position;
        if (_span.Length - p < 4)
        {
            Fail();
            return 0;
        }
        _position = p + 4;
        return BinaryPrimitives.ReadInt32BigEndian(_span[p..]);
    }

    public uint ReadUInt32() => (uint)ReadInt32();

    public long ReadInt64()
    {
        int p = _position;
        if (_span.Length - p < 8)
        {
            Fail();
            return 0;
        }
        _position = p + 8;
        return BinaryPrimitives.ReadInt64BigEndian(_span[p..]);
    }

    public double ReadFloat64() => BitConverter.Int64BitsToDouble(ReadInt64());

    public KafkaUuid ReadUuid()
    {
        int p = _position;
        if (_span.Length - p < KafkaUuid.Size)
        {
            Fail();
            return KafkaUuid.Zero;
        }
        _position = p + KafkaUuid.Size;
        return KafkaUuid.Read(_span[p..]);
    }

    public uint ReadUnsignedVarInt()
    {
        int n = VarInt.ReadUInt32(_span[_position..], out uint value);
        if (n == 0)
        {
            Fail();
            return 0;
        }
        _position += n;
        return value;
    }

    public int ReadVarInt()
    {
        int n = VarInt.ReadInt32(_span[_position..], out int value);
        if (n == 0)
        {
            Fail();
            return 0;
        }
        _position += n;
        return value;
    }

    public long ReadVarLong()
    {
        int n = VarInt.ReadInt64(_span[_position..], out long value);
        if (n == 0)
        {
            Fail();
            return 0;
        }
        _position += n;
        return value;
    }

    public string ReadString(bool flexible)
    {
        int length = ReadStringLength(flexible);
        if (length < 0)
        {
            Fail();
            return "";
        }
        return DecodeUtf8(length);
    }

    public string? ReadNullableString(bool flexible)
    {
        int length = ReadStringLength(flexible);
        return length < 0 ? null : DecodeUtf8(length);
    }

    public byte[] ReadBytes(bool flexible)
    {
        int length = ReadBytesLength(flexible);
        if (length < 0)
        {
            Fail();
            return [];
        }
        return CopyBytes(length);
    }

    public byte[]? ReadNullableBytes(bool flexible)
    {
        int length = ReadBytesLength(flexible);
        return length < 0 ? null : CopyBytes(length);
    }

    /// <summary>A <c>records</c> field: a <see cref="MemoryRecords"/> over the input (no copy), or null.</summary>
    public BaseRecords? ReadRecords(bool flexible, bool nullable)
    {
        int length = ReadBytesLength(flexible);
        if (length < 0)
        {
            if (!nullable)
            {
                Fail();
            }
            return null;
        }
        if (length > Remaining)
        {
            Fail();
            return null;
        }
        var records = new MemoryRecords(_memory.Slice(_position, length));
        _position += length;
        return records;
    }

    /// <summary>An array of fixed-layout elements (ints, uuids, strings), read into <paramref name="into"/> when given.</summary>
    public List<T> ReadArray<T, TCodec>(List<T>? into, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        int count = ReadArrayCount(flexible, TCodec.MinSize);
        if (count < 0)
        {
            Fail();
            count = 0;
        }
        return FillArray<T, TCodec>(into, count, flexible);
    }

    public List<T>? ReadNullableArray<T, TCodec>(List<T>? into, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        int count = ReadArrayCount(flexible, TCodec.MinSize);
        return count < 0 ? null : FillArray<T, TCodec>(into, count, flexible);
    }

    public List<T> ReadStructArray<T>(List<T>? into, short version, bool flexible) where T : IKafkaMessage, new()
    {
        int count = ReadArrayCount(flexible, 1);
        if (count < 0)
        {
            Fail();
            count = 0;
        }
        return FillStructArray(into, count, version);
    }

    public List<T>? ReadNullableStructArray<T>(List<T>? into, short version, bool flexible) where T : IKafkaMessage, new()
    {
        int count = ReadArrayCount(flexible, 1);
        return count < 0 ? null : FillStructArray(into, count, version);
    }

    /// <summary>A nullable struct: a presence byte (-1 null, 1 present) then the struct.</summary>
    public T? ReadNullableStruct<T>(short version) where T : class, IKafkaMessage, new()
    {
        if (ReadInt8() < 0)
        {
            return null;
        }
        var item = new T();
        item.Read(ref this, version);
        return item;
    }

    /// <summary>A tagged-field section with no known tags: every field is kept raw (null when there are none).</summary>
    public List<RawTaggedField>? ReadTaggedFields()
    {
        int count = ReadTaggedFieldCount();
        List<RawTaggedField>? fields = null;
        for (int i = 0; i < count && !_hasError; i++)
        {
            int tag = ReadTag(out int size);
            fields = ReadUnknownTaggedField(fields, tag, size);
        }
        return fields;
    }

    /// <summary>The number of tagged fields; each takes at least two bytes, so a larger count fails.</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarInt();
        if (count > (uint)(Remaining / 2))
        {
            Fail();
            return 0;
        }
        return (int)count;
    }

    /// <summary>A tagged field's tag and the byte size of its value.</summary>
    public int ReadTag(out int size)
    {
        uint tag = ReadUnsignedVarInt();
        uint length = ReadUnsignedVarInt();
        if (tag > int.MaxValue || length > (uint)Remaining)
        {
            Fail();
            size = 0;
            return 0;
        }
        size = (int)length;
        return (int)tag;
    }

    /// <summary>Keeps an unknown tagged field's bytes (copied: they may outlive the input buffer).</summary>
    public List<RawTaggedField> ReadUnknownTaggedField(List<RawTaggedField>? fields, int tag, int size)
    {
        fields ??= [];
        byte[] data = CopyBytes(size);
        if (!_hasError)
        {
            fields.Add(new RawTaggedField(tag, data));
        }
        return fields;
    }

    /// <summary>Marks the input as malformed; see the type's remarks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fail()
    {
        _hasError = true;
        _position = _span.Length;
    }

    /// <summary>-1 for null; a length beyond the remaining bytes fails.</summary>
    private int ReadStringLength(bool flexible)
    {
        int length = flexible ? (int)ReadUnsignedVarInt() - 1 : ReadInt16();
        return CheckLength(length);
    }

    private int ReadBytesLength(bool flexible)
    {
        int length = flexible ? (int)(ReadUnsignedVarInt() - 1) : ReadInt32();
        return CheckLength(length);
    }

    /// <summary>-1 for null, else the count; a count the remaining bytes cannot hold fails.</summary>
    private int ReadArrayCount(bool flexible, int minElementSize)
    {
        int count = flexible ? (int)(ReadUnsignedVarInt() - 1) : ReadInt32();
        if (count < -1 || (count > 0 && count > Remaining / minElementSize))
        {
            Fail();
            return 0;
        }
        return count;
    }

    private int CheckLength(int length)
    {
        if (length < -1 || length > Remaining)
        {
            Fail();
            return 0;
        }
        return length;
    }

    private string DecodeUtf8(int length)
    {
        if (length == 0)
        {
            return "";
        }
        string value = Encoding.UTF8.GetString(_span.Slice(_position, length));
        _position += length;
        return value;
    }

    private byte[] CopyBytes(int length)
    {
        if (length > Remaining)
        {
            Fail();
            return [];
        }
        byte[] value = _span.Slice(_position, length).ToArray();
        _position += length;
        return value;
    }

    private List<T> FillArray<T, TCodec>(List<T>? into, int count, bool flexible) where TCodec : struct, IElementCodec<T>
    {
        List<T> list = Prepare(into, count);
        for (int i = 0; i < count && !_hasError; i++)
        {
            list.Add(TCodec.Read(ref this, flexible));
        }
        return list;
    }

    private List<T> FillStructArray<T>(List<T>? into, int count, short version) where T : IKafkaMessage, new()
    {
        // Stop at the first error: a count that fit the input must not turn into that many empty objects.
        List<T> list = Prepare(into, count);
        for (int i = 0; i < count && !_hasError; i++)
        {
            var item = new T();
            item.Read(ref this, version);
            list.Add(item);
        }
        return list;
    }

    private static List<T> Prepare<T>(List<T>? into, int count)
    {
        if (into is null)
        {
            return new List<T>(count);
        }
        into.Clear();
        into.EnsureCapacity(count);
        return into;
    }
}
