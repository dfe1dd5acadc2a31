using System.IO.Compression;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Tests.Records;

public class GzipCodecTests : CodecTests
{
    protected override CompressionType Codec => CompressionType.Gzip;

    [Fact]
    public void WritesAGzipStream()
    {
        byte[] compressed = Compress(CompressibleData(1000));
        Assert.Equal(new byte[] { 0x1F, 0x8B }, compressed[..2]);
    }

    [Fact]
    public void ReadsConcatenatedMembersAsOneStream()
    {
        byte[] first = CompressibleData(3000);
        byte[] second = CompressibleData(700);
        byte[] compressed = [.. Compress(first), .. Compress(second)];
        Assert.Equal(DecompressionStatus.Done, Decompress(compressed, 10_000, out byte[] output));
        Assert.Equal([.. first, .. second], output);
    }

    [Fact]
    public void ReadsWhatTheBclWrites()
    {
        byte[] data = CompressibleData(20_000);
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }
        Assert.Equal(DecompressionStatus.Done, Decompress(stream.ToArray(), data.Length, out byte[] output));
        Assert.Equal(data, output);
    }
}
