using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// Kafka codec 2. Two layouts exist on the wire and both must be read:
/// <list type="bullet">
/// <item>xerial framing, written by Kafka's Java client (snappy-java's <c>SnappyOutputStream</c>):
/// a 16-byte header <c>0x82 'SNAPPY' 0x00</c>, int32 version, int32 compatible version (both 1,
/// big-endian), then chunks of <c>[int32 compressed length][raw snappy block]</c>, each block holding
/// at most 32 KiB of input;</item>
/// <item>one raw snappy block, written by librdkafka (it reads both, as does snappy-java's
/// <c>SnappyInputStream</c>, which falls back to a raw block when the header is absent).</item>
/// </list>
/// We write the xerial framing, as the Java client does. Like snappy-java and librdkafka we tell the
/// two apart by the 8 magic bytes: a raw block could in theory start with them (its length varint
/// would be 10626 followed by the literal tag bytes "NAPPY\0"), which no real batch does.
/// IronSnappy decodes each block into a new array; that array is copied once into the pooled output
/// (one allocation per block, at most 32 KiB for Java clients, never per record).
/// </summary>
internal static class SnappyCodec
{
    public const int XerialHeaderSize = 16;
    public const int XerialBlockSize = 32 * 1024;
    private const int XerialVersion = 1;
    private const int XerialCompatibleVersion = 1;

    public static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static DecompressionStatus Decompress(ReadOnlySpan<byte> source, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        int produced = 0;
        if (!IsXerialHeader(source))
        {
            return DecodeBlock(source, maxDecompressedBytes, ref produced, ref destination);
        }
        while (!source.IsEmpty)
        {
            // snappy-java accepts a header again at a chunk boundary (streams written back to back).
            if (IsXerialHeader(source))
            {
                source = source[XerialHeaderSize..];
                continue;
            }
            if (source.Length < sizeof(int))
            {
                return DecompressionStatus.CorruptData;
            }
            int blockLength = BinaryPrimitives.ReadInt32BigEndian(source);
            source = source[sizeof(int)..];
            if (blockLength < 0 || blockLength > source.Length)
            {
                return DecompressionStatus.CorruptData;
            }
            DecompressionStatus status = DecodeBlock(source[..blockLength], maxDecompressedBytes, ref produced, ref destination);
            if (status != DecompressionStatus.Done)
            {
                return status;
            }
            source = source[blockLength..];
        }
        return DecompressionStatus.Done;
    }

    public static void Compress(ReadOnlySpan<byte> source, ref PooledByteBuffer destination)
    {
        Span<byte> header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], XerialVersion);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], XerialCompatibleVersion);
        destination.Advance(XerialHeaderSize);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = source[..Math.Min(XerialBlockSize, source.Length)];
            byte[] block = IronSnappy.Snappy.Encode(chunk);
            BinaryPrimitives.WriteInt32BigEndian(destination.GetSpan(sizeof(int)), block.Length);
            destination.Advance(sizeof(int));
            destination.Write(block);
            source = source[chunk.Length..];
        }
    }

    private static bool IsXerialHeader(ReadOnlySpan<byte> source) =>
        source.Length >= XerialHeaderSize && source.StartsWith(XerialMagic);

    private static DecompressionStatus DecodeBlock(
        ReadOnlySpan<byte> block, int maxDecompressedBytes, ref int produced, ref PooledByteBuffer destination)
    {
        // The block declares its uncompressed length up front: check it before anything is allocated.
        if (VarInt.ReadUInt32(block, out uint declaredLength) == 0)
        {
            return DecompressionStatus.CorruptData;
        }
        if (declaredLength > (uint)(maxDecompressedBytes - produced))
        {
            return DecompressionStatus.SizeLimitExceeded;
        }
        byte[] decoded;
        try
        {
            decoded = IronSnappy.Snappy.Decode(block);
        }
        catch (IOException)
        {
            return DecompressionStatus.CorruptData;
        }
        if (decoded.Length != declaredLength)
        {
            return DecompressionStatus.CorruptData;
        }
        destination.Write(decoded);
        produced += decoded.Length;
        return DecompressionStatus.Done;
    }
}
