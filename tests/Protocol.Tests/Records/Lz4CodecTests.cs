using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Tests.Records;

public class Lz4CodecTests : CodecTests
{
    protected override CompressionType Codec => CompressionType.Lz4;

    [Fact]
    public void WritesAnLz4FrameWithIndependentBlocksAndNoChecksums()
    {
        byte[] compressed = Compress(CompressibleData(1000));
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, compressed[..4]);
        byte flags = compressed[4];
        Assert.Equal(0x40, flags & 0xC0); // version 01
        Assert.Equal(0x20, flags & 0x20); // block independence
        Assert.Equal(0, flags & 0x1C);    // no block checksum, no content size, no content checksum
        Assert.Equal(0x40, compressed[5] & 0x70); // 64 KiB blocks
    }

    [Fact]
    public void ReadsFramesWrittenBackToBack()
    {
        byte[] first = CompressibleData(90_000);
        byte[] second = CompressibleData(33);
        byte[] compressed = [.. Compress(first), .. Compress(second)];
        Assert.Equal(DecompressionStatus.Done, Decompress(compressed, 100_000, out byte[] output));
        Assert.Equal([.. first, .. second], output);
    }

    [Fact]
    public void TruncatedFrameIsCorrupt()
    {
        byte[] compressed = Compress(CompressibleData(90_000));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed[..^3], 1 << 20, out _));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed[..5], 1 << 20, out _));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress([], 1 << 20, out _));
    }

    [Fact]
    public void TrailingGarbageAfterAFrameIsCorrupt()
    {
        byte[] compressed = [.. Compress(CompressibleData(1000)), 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed, 1 << 20, out _));
    }
}
