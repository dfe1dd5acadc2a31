using System.Runtime.CompilerServices;

namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// Kafka's variable-length integers: unsigned LEB128 (used for compact lengths and tags) and
/// zig-zag signed varints (used inside records). Every reader returns the number of bytes consumed,
/// or 0 when the input is truncated or the value is longer than its type allows.
/// </summary>
public static class VarInt
{
    public const int MaxUInt32Bytes = 5;
    public const int MaxUInt64Bytes = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadUInt32(ReadOnlySpan<byte> source, out uint value)
    {
        uint result = 0;
        for (int i = 0, shift = 0; i < source.Length && i < MaxUInt32Bytes; i++, shift += 7)
        {
            byte b = source[i];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = result;
                return i + 1;
            }
        }
        value = 0;
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadUInt64(ReadOnlySpan<byte> source, out ulong value)
    {
        ulong result = 0;
        for (int i = 0, shift = 0; i < source.Length && i < MaxUInt64Bytes; i++, shift += 7)
        {
            byte b = source[i];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = result;
                return i + 1;
            }
        }
        value = 0;
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadInt32(ReadOnlySpan<byte> source, out int value)
    {
        int n = ReadUInt32(source, out uint raw);
        value = (int)(raw >> 1) ^ -(int)(raw & 1);
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadInt64(ReadOnlySpan<byte> source, out long value)
    {
        int n = ReadUInt64(source, out ulong raw);
        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return n;
    }

    public static int SizeOfUInt32(uint value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOfUInt64(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOfInt32(int value) => SizeOfUInt32(ZigZag(value));

    public static int SizeOfInt64(long value) => SizeOfUInt64(ZigZag(value));

    /// <summary>Writes an unsigned varint; the destination must have room (see SizeOfUInt32).</summary>
    public static int WriteUInt32(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteUInt64(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteInt32(Span<byte> destination, int value) => WriteUInt32(destination, ZigZag(value));

    public static int WriteInt64(Span<byte> destination, long value) => WriteUInt64(destination, ZigZag(value));

    private static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
