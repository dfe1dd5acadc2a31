namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// Compresses and decompresses the records section of a batch with the codec named in its
/// attributes. Output is appended to a pooled buffer. The wire formats are the ones Kafka's Java
/// client writes: gzip members, xerial-framed snappy, LZ4 frames, zstd frames (see each codec).
/// </summary>
public static class RecordCompression
{
    /// <summary>
    /// Decompresses <paramref name="source"/> and appends the result to <paramref name="destination"/>,
    /// producing at most <paramref name="maxDecompressedBytes"/> bytes.
    /// Throws only when a native codec library is missing (<see cref="DllNotFoundException"/>).
    /// </summary>
    public static DecompressionStatus Decompress(
        CompressionType compression, ReadOnlySpan<byte> source, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        // No buffer grows past Array.MaxLength: a larger limit would only turn SizeLimitExceeded into a throw.
        maxDecompressedBytes = Math.Min(maxDecompressedBytes, Array.MaxLength - 1 - destination.Length);
        return compression switch
        {
            CompressionType.Gzip => GzipCodec.Decompress(source, maxDecompressedBytes, ref destination),
            CompressionType.Snappy => SnappyCodec.Decompress(source, maxDecompressedBytes, ref destination),
            CompressionType.Lz4 => Lz4Codec.Decompress(source, maxDecompressedBytes, ref destination),
            CompressionType.Zstd => ZstdCodec.Decompress(source, maxDecompressedBytes, ref destination),
            CompressionType.None => throw new ArgumentException("Uncompressed records need no decompression.", nameof(compression)),
            _ => DecompressionStatus.UnsupportedCodec,
        };
    }

    /// <summary>Compresses <paramref name="source"/> and appends the result to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionType compression, ReadOnlySpan<byte> source, ref PooledByteBuffer destination)
    {
        switch (compression)
        {
            case CompressionType.Gzip:
                GzipCodec.Compress(source, ref destination);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(source, ref destination);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, ref destination);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, ref destination);
                break;
            default:
                throw new ArgumentException($"No codec compresses as {compression}.", nameof(compression));
        }
    }

    /// <summary>
    /// A span of free output space for a streaming decoder: large enough to make progress, and never
    /// longer than one byte past the limit, so that crossing the limit is seen without writing further.
    /// </summary>
    internal static Span<byte> OutputWindow(ref PooledByteBuffer destination, int produced, int maxDecompressedBytes, int chunkSize)
    {
        long allowed = (long)maxDecompressedBytes - produced + 1;
        Span<byte> free = destination.GetSpan((int)Math.Min(chunkSize, allowed));
        return free.Length > allowed ? free[..(int)allowed] : free;
    }
}
