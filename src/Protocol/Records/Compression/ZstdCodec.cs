namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// Kafka codec 4: zstd frames. Decoding streams, because frames written by streaming encoders (the
/// Java client's zstd-jni, librdkafka) need not declare their content size. We write one frame at
/// zstd's default level 3, which is also Kafka's default <c>compression.zstd.level</c>.
/// </summary>
internal static unsafe class ZstdCodec
{
    private const int ChunkSize = 128 * 1024;
    private const int DefaultLevel = 3;

    public static DecompressionStatus Decompress(ReadOnlySpan<byte> source, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        ZstdLibrary library = ZstdLibrary.Instance;
        nint context = ZstdDecompressionContext.Acquire();
        int produced = 0;
        fixed (byte* inputPointer = source)
        {
            var input = new ZstdBuffer { Data = inputPointer, Size = (nuint)source.Length };
            while (true)
            {
                Span<byte> window = RecordCompression.OutputWindow(ref destination, produced, maxDecompressedBytes, ChunkSize);
                nuint consumedBefore = input.Position;
                nuint result;
                int written;
                fixed (byte* outputPointer = window)
                {
                    var output = new ZstdBuffer { Data = outputPointer, Size = (nuint)window.Length };
                    result = library.DecompressStream(context, &output, &input);
                    written = (int)output.Position;
                }
                if (library.IsError(result))
                {
                    return DecompressionStatus.CorruptData;
                }
                destination.Advance(written);
                produced += written;
                if (produced > maxDecompressedBytes)
                {
                    return DecompressionStatus.SizeLimitExceeded;
                }
                if (result == 0 && input.Position == input.Size)
                {
                    return DecompressionStatus.Done;
                }
                if (written == 0 && input.Position == consumedBefore)
                {
                    return DecompressionStatus.CorruptData; // the frame ends early
                }
            }
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, ref PooledByteBuffer destination)
    {
        ZstdLibrary library = ZstdLibrary.Instance;
        nuint bound = library.CompressBound((nuint)source.Length);
        Span<byte> output = destination.GetSpan(checked((int)bound));
        nuint written;
        fixed (byte* input = source)
        fixed (byte* outputPointer = output)
        {
            written = library.Compress(outputPointer, (nuint)output.Length, input, (nuint)source.Length, DefaultLevel);
        }
        if (library.IsError(written))
        {
            throw new InvalidOperationException($"ZSTD_compress failed: {library.ErrorName(written)}");
        }
        destination.Advance((int)written);
    }
}
