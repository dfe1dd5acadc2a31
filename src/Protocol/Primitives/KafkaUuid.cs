using System.Buffers.Binary;

namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// Kafka's 128-bit id (topic ids, etc.): two big-endian longs on the wire, shown as 22-character
/// URL-safe base64 without padding, like Java's <c>org.apache.kafka.common.Uuid</c>.
/// All zero is "no id" (<see cref="Zero"/>).
/// </summary>
public readonly record struct KafkaUuid(long MostSignificantBits, long LeastSignificantBits)
{
    public const int Size = 16;

    public static readonly KafkaUuid Zero = default;

    public bool IsZero => MostSignificantBits == 0 && LeastSignificantBits == 0;

    /// <summary>A random id; like Kafka, never Zero and never starting with '-' in its string form.</summary>
    public static KafkaUuid NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4, as Java's UUID.randomUUID
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            var id = Read(bytes);
            if (!id.IsZero && !id.ToString().StartsWith('-'))
            {
                return id;
            }
        }
    }

    public static KafkaUuid Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryParse(string text, out KafkaUuid id)
    {
        id = Zero;
        if (text.Length != 22)
        {
            return false;
        }
        string base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[18];
        if (!Convert.TryFromBase64String(base64, bytes, out int written) || written != Size)
        {
            return false;
        }
        id = Read(bytes);
        return true;
    }
}
