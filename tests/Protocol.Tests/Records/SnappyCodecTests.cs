using System.Buffers.Binary;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Tests.Records;

public class SnappyCodecTests : CodecTests
{
    protected override CompressionType Codec => CompressionType.Snappy;

    [Fact]
    public void WritesXerialFramingInThirtyTwoKilobyteBlocks()
    {
        byte[] data = CompressibleData(100_000);
        byte[] compressed = Compress(data);

        Assert.Equal(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0 }, compressed[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(12)));
        int position = 16;
        int blocks = 0;
        int decoded = 0;
        while (position < compressed.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position));
            byte[] block = IronSnappy.Snappy.Decode(compressed.AsSpan(position + 4, length));
            Assert.Equal(data.AsSpan(decoded, block.Length).ToArray(), block);
            decoded += block.Length;
            position += 4 + length;
            blocks++;
        }
        Assert.Equal(4, blocks); // 32 KiB + 32 KiB + 32 KiB + 1696 bytes
        Assert.Equal(data.Length, decoded);
    }

    [Fact]
    public void ReadsARawBlockAsLibrdkafkaWritesIt()
    {
        byte[] data = CompressibleData(70_000);
        byte[] raw = IronSnappy.Snappy.Encode(data);
        Assert.Equal(DecompressionStatus.Done, Decompress(raw, data.Length, out byte[] output));
        Assert.Equal(data, output);
    }

    [Fact]
    public void RawBlockDeclaringTooMuchIsRefusedBeforeDecoding()
    {
        byte[] raw = IronSnappy.Snappy.Encode(CompressibleData(70_000));
        Assert.Equal(DecompressionStatus.SizeLimitExceeded, Decompress(raw, 69_999, out byte[] output));
        Assert.Empty(output);
    }

    [Fact]
    public void ReadsXerialStreamsWrittenBackToBack()
    {
        byte[] first = CompressibleData(40_000);
        byte[] second = CompressibleData(10);
        byte[] compressed = [.. Compress(first), .. Compress(second)];
        Assert.Equal(DecompressionStatus.Done, Decompress(compressed, 50_000, out byte[] output));
        Assert.Equal([.. first, .. second], output);
    }

    [Fact]
    public void XerialChunkLongerThanTheInputIsCorrupt()
    {
        byte[] compressed = Compress(CompressibleData(1000));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed[..^1], 1 << 20, out _));
        BinaryPrimitives.WriteInt32BigEndian(compressed.AsSpan(16), -5);
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed, 1 << 20, out _));
    }

    [Fact]
    public void XerialChunkLengthCutShortIsCorrupt()
    {
        byte[] compressed = [.. Compress(CompressibleData(1000)), 0, 0];
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed, 1 << 20, out _));
    }
}
