namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// How one element of a primitive array (<c>[]int32</c>, <c>[]string</c>, ...) is read, written and
/// sized. Implemented by empty structs so the generic array helpers of <see cref="KafkaReader"/> and
/// <see cref="KafkaWriter"/> are specialised per element type, without delegates.
/// </summary>
public interface IElementCodec<T>
{
    /// <summary>The fewest bytes one element takes; bounds how many elements a count may claim.</summary>
    static abstract int MinSize { get; }

    static abstract T Read(ref KafkaReader reader, bool flexible);

    static abstract void Write(ref KafkaWriter writer, T value, bool flexible);

    static abstract int Size(T value, bool flexible);
}

public readonly struct Int8Codec : IElementCodec<sbyte>
{
    public static int MinSize => 1;

    public static sbyte Read(ref KafkaReader reader, bool flexible) => reader.ReadInt8();

    public static void Write(ref KafkaWriter writer, sbyte value, bool flexible) => writer.WriteInt8(value);

    public static int Size(sbyte value, bool flexible) => 1;
}

public readonly struct Int16Codec : IElementCodec<short>
{
    public static int MinSize => 2;

    public static short Read(ref KafkaReader reader, bool flexible) => reader.ReadInt16();

    public static void Write(ref KafkaWriter writer, short value, bool flexible) => writer.WriteInt16(value);

    public static int Size(short value, bool flexible) => 2;
}

public readonly struct Int32Codec : IElementCodec<int>
{
    public static int MinSize => 4;

    public static int Read(ref KafkaReader reader, bool flexible) => reader.ReadInt32();

    public static void Write(ref KafkaWriter writer, int value, bool flexible) => writer.WriteInt32(value);

    public static int Size(int value, bool flexible) => 4;
}

public readonly struct Int64Codec : IElementCodec<long>
{
    public static int MinSize => 8;

    public static long Read(ref KafkaReader reader, bool flexible) => reader.ReadInt64();

    public static void Write(ref KafkaWriter writer, long value, bool flexible) => writer.WriteInt64(value);

    public static int Size(long value, bool flexible) => 8;
}

public readonly struct UuidCodec : IElementCodec<KafkaUuid>
{
    public static int MinSize => KafkaUuid.Size;

    public static KafkaUuid Read(ref KafkaReader reader, bool flexible) => reader.ReadUuid();

    public static void Write(ref KafkaWriter writer, KafkaUuid value, bool flexible) => writer.WriteUuid(value);

    public static int Size(KafkaUuid value, bool flexible) => KafkaUuid.Size;
}

/// <summary>Array elements of type <c>string</c>, which are never nullable.</summary>
public readonly struct StringCodec : IElementCodec<string>
{
    public static int MinSize => 1;

    public static string Read(ref KafkaReader reader, bool flexible) => reader.ReadString(flexible);

    public static void Write(ref KafkaWriter writer, string value, bool flexible) => writer.WriteString(value, flexible);

    public static int Size(string value, bool flexible) => KafkaWriter.SizeOfString(value, flexible);
}
