using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;

namespace KafkaSharp.Protocol.Tests.Records;

/// <summary>What every codec must do; each codec's test class adds its own wire-format checks.</summary>
public abstract class CodecTests
{
    protected abstract CompressionType Codec { get; }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(200_000)]
    [InlineData(1_048_576)]
    public void RoundTripsCompressibleData(int size) => AssertRoundTrip(CompressibleData(size));

    [Fact]
    public void RoundTripsIncompressibleData()
    {
        byte[] data = new byte[300_000];
        new Random(7).NextBytes(data);
        AssertRoundTrip(data);
    }

    [Fact]
    public void AppendsAfterWhatTheBufferHolds()
    {
        byte[] data = CompressibleData(5000);
        byte[] compressed = Compress(data);
        var buffer = new PooledByteBuffer();
        try
        {
            buffer.Write([1, 2, 3]);
            Assert.Equal(DecompressionStatus.Done, RecordCompression.Decompress(Codec, compressed, data.Length, ref buffer));
            Assert.Equal([1, 2, 3, .. data], buffer.WrittenSpan.ToArray());
        }
        finally
        {
            buffer.Dispose();
        }
    }

    [Fact]
    public void OutputExactlyAtTheLimitIsAccepted()
    {
        byte[] data = CompressibleData(100_000);
        Assert.Equal(DecompressionStatus.Done, Decompress(Compress(data), data.Length, out byte[] output));
        Assert.Equal(data, output);
    }

    [Fact]
    public void OutputOneByteOverTheLimitIsRefused()
    {
        byte[] data = CompressibleData(100_000);
        Assert.Equal(DecompressionStatus.SizeLimitExceeded, Decompress(Compress(data), data.Length - 1, out _));
    }

    [Fact]
    public void DecompressionBombStopsAtTheLimit()
    {
        byte[] zeros = new byte[32 * 1024 * 1024];
        byte[] bomb = Compress(zeros);
        Assert.True(bomb.Length < zeros.Length / 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(DecompressionStatus.SizeLimitExceeded, Decompress(bomb, 1024 * 1024, out _));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Fact]
    public void LimitOfIntMaxValueWorks()
    {
        byte[] data = CompressibleData(100_000);
        Assert.Equal(DecompressionStatus.Done, Decompress(Compress(data), int.MaxValue, out byte[] output));
        Assert.Equal(data, output);
    }

    [Fact]
    public void EmptyInputIsCorrupt() => Assert.Equal(DecompressionStatus.CorruptData, Decompress([], 1 << 20, out _));

    [Fact]
    public void GarbageIsCorrupt()
    {
        byte[] garbage = new byte[500];
        new Random(3).NextBytes(garbage);
        Assert.Equal(DecompressionStatus.CorruptData, Decompress(garbage, 1 << 20, out _));
    }

    [Fact]
    public void DamagedInputEndsInAStatusNeverAnException()
    {
        // Codecs without checksums may decode damage into other bytes; the batch CRC catches that.
        byte[] compressed = Compress(CompressibleData(50_000));
        var random = new Random(11);
        for (int i = 0; i < 500; i++)
        {
            byte[] damaged = (byte[])compressed.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 + random.Next(255));
            DecompressionStatus status = Decompress(damaged.AsSpan(0, random.Next(damaged.Length + 1)), 60_000, out byte[] output);
            Assert.True(Enum.IsDefined(status));
            Assert.True(output.Length <= 60_001);
        }
    }

    protected static byte[] CompressibleData(int size)
    {
        const string Pattern = "records compress well when they repeat; ";
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)(Pattern[i % Pattern.Length] + (i / 4096 % 3));
        }
        return data;
    }

    protected byte[] Compress(ReadOnlySpan<byte> data)
    {
        var buffer = new PooledByteBuffer();
        try
        {
            RecordCompression.Compress(Codec, data, ref buffer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    protected DecompressionStatus Decompress(ReadOnlySpan<byte> compressed, int limit, out byte[] output)
    {
        var buffer = new PooledByteBuffer();
        try
        {
            DecompressionStatus status = RecordCompression.Decompress(Codec, compressed, limit, ref buffer);
            output = buffer.WrittenSpan.ToArray();
            return status;
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private void AssertRoundTrip(byte[] data)
    {
        byte[] compressed = Compress(data);
        Assert.Equal(DecompressionStatus.Done, Decompress(compressed, data.Length, out byte[] output));
        Assert.Equal(data, output);
    }
}
