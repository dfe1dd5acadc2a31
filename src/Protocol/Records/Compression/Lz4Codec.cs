namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// Kafka codec 3: the standard LZ4 frame format for magic-2 batches (magic 0/1 used a broken header
/// checksum, which we never see). We write what the Java client writes: 64 KiB independent blocks,
/// no checksums, no content size. Reading accepts any valid frame, and frames written back to back.
/// </summary>
internal static unsafe class Lz4Codec
{
    private const int ChunkSize = 64 * 1024;
    private const int BlockSizeMax64Kb = 4;
    private const int BlockIndependent = 1;

    public static DecompressionStatus Decompress(ReadOnlySpan<byte> source, int maxDecompressedBytes, ref PooledByteBuffer destination)
    {
        Lz4Library library = Lz4Library.Instance;
        nint context = Lz4DecompressionContext.Acquire();
        int consumed = 0;
        int produced = 0;
        fixed (byte* input = source)
        {
            while (true)
            {
                Span<byte> window = RecordCompression.OutputWindow(ref destination, produced, maxDecompressedBytes, ChunkSize);
                nuint written = (nuint)window.Length;
                nuint read = (nuint)(source.Length - consumed);
                nuint hint;
                fixed (byte* output = window)
                {
                    hint = library.Decompress(context, output, &written, input + consumed, &read, null);
                }
                if (library.IsError(hint))
                {
                    return DecompressionStatus.CorruptData;
                }
                consumed += (int)read;
                destination.Advance((int)written);
                produced += (int)written;
                if (produced > maxDecompressedBytes)
                {
                    return DecompressionStatus.SizeLimitExceeded;
                }
                if (hint == 0 && consumed == source.Length)
                {
                    return DecompressionStatus.Done;
                }
                if (read == 0 && written == 0)
                {
                    return DecompressionStatus.CorruptData; // the frame ends early
                }
            }
        }
    }

    public static void Compress(ReadOnlySpan<byte> source, ref PooledByteBuffer destination)
    {
        Lz4Library library = Lz4Library.Instance;
        var preferences = new Lz4Preferences { BlockSizeId = BlockSizeMax64Kb, BlockMode = BlockIndependent };
        nuint bound = library.CompressFrameBound((nuint)source.Length, &preferences);
        Span<byte> output = destination.GetSpan(checked((int)bound));
        nuint written;
        fixed (byte* input = source)
        fixed (byte* outputPointer = output)
        {
            written = library.CompressFrame(outputPointer, (nuint)output.Length, input, (nuint)source.Length, &preferences);
        }
        if (library.IsError(written))
        {
            throw new InvalidOperationException($"LZ4F_compressFrame failed: {library.ErrorName(written)}");
        }
        destination.Advance((int)written);
    }
}
