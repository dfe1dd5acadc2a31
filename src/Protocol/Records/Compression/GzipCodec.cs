using System.IO.Compression;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// Kafka codec 1: a gzip stream (RFC 1952) over the records, as <c>java.util.zip.GZIPOutputStream</c>
/// writes it. Concatenated members decode as one stream. GZipStream ends quietly when its input is
/// cut short (it checks the trailer's CRC-32 only when the trailer is there), so a truncated stream
/// yields a short output: the record parse that follows rejects it, and the batch CRC has already
/// ruled out damage in transit.
/// </summary>
internal static class GzipCodec
{
    private const int ChunkSize = 64 * 1024;

    public static unsafe DecompressionStatus Decompress(ReadOnlySpan<byte> source, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        if (source.IsEmpty)
        {
            return DecompressionStatus.CorruptData; // not even a gzip header
        }
        fixed (byte* input = source)
        {
            using var compressed = new UnmanagedMemoryStream(input, source.Length);
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
            try
            {
                return ReadAll(gzip, maxDecompressedBytes, ref destination);
            }
            catch (InvalidDataException)
            {
                return DecompressionStatus.CorruptData;
            }
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, ref PooledByteBuffer destination)
    {
        // Kafka's default gzip level is zlib's 6, which CompressionLevel.Optimal maps to.
        using var output = new MemoryStream(capacity: source.Length / 2 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(source);
        }
        destination.Write(output.GetBuffer().AsSpan(0, (int)output.Length));
    }

    private static DecompressionStatus ReadAll(GZipStream gzip, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        int produced = 0;
        while (true)
        {
            Span<byte> window = RecordCompression.OutputWindow(ref destination, produced, maxDecompressedBytes, ChunkSize);
            int read = gzip.Read(window);
            if (read == 0)
            {
                return DecompressionStatus.Done;
            }
            destination.Advance(read);
            produced += read;
            if (produced > maxDecompressedBytes)
            {
                return DecompressionStatus.SizeLimitExceeded;
            }
        }
    }
}
