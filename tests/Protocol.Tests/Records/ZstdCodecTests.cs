using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Tests.Records;

public class ZstdCodecTests : CodecTests
{
    protected override CompressionType Codec => CompressionType.Zstd;

    [Fact]
    public void WritesAZstdFrame()
    {
        byte[] compressed = Compress(CompressibleData(1000));
        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, compressed[..4]);
    }

    [Fact]
    public void ReadsFramesWrittenBackToBack()
    {
        byte[] first = CompressibleData(300_000);
        byte[] second = CompressibleData(5);
        byte[] compressed = [.. Compress(first), .. Compress(second)];
        Assert.Equal(DecompressionStatus.Done, Decompress(compressed, 300_005, out byte[] output));
        Assert.Equal([.. first, .. second], output);
    }

    [Fact]
    public void TruncatedFrameIsCorrupt()
    {
        byte[] compressed = Compress(CompressibleData(300_000));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed[..^2], 1 << 20, out _));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed[..6], 1 << 20, out _));
        Assert.Equal(DecompressionStatus.CorruptData, Decompress([], 1 << 20, out _));
    }

    [Fact]
    public void TrailingGarbageAfterAFrameIsCorrupt()
    {
        byte[] compressed = [.. Compress(CompressibleData(1000)), 9, 9, 9, 9, 9, 9, 9, 9];
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(compressed, 1 << 20, out _));
    }
}
