using System.Runtime.InteropServices;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>The streaming decompression and one-shot compression API of the system's libzstd, bound once per process.</summary>
internal sealed unsafe class ZstdLibrary
{
    public const string FileName = "libzstd.so.1";

    /// <summary>ZSTD_reset_session_only: forget a half-decoded frame, keep parameters.</summary>
    public const int ResetSessionOnly = 1;

    private static ZstdLibrary? instance;

    public readonly delegate* unmanaged<nint> CreateDecompressionContext;
    public readonly delegate* unmanaged<nint, nuint> FreeDecompressionContext;
    public readonly delegate* unmanaged<nint, int, nuint> ResetDecompressionContext;
    public readonly delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, nuint> DecompressStream;
    public readonly delegate* unmanaged<nuint, nuint> CompressBound;
    public readonly delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint> Compress;
    private readonly delegate* unmanaged<nuint, uint> isError;
    private readonly delegate* unmanaged<nuint, byte*> getErrorName;

    private ZstdLibrary(nint library)
    {
        CreateDecompressionContext = (delegate* unmanaged<nint>)Export(library, "ZSTD_createDCtx");
        FreeDecompressionContext = (delegate* unmanaged<nint, nuint>)Export(library, "ZSTD_freeDCtx");
        ResetDecompressionContext = (delegate* unmanaged<nint, int, nuint>)Export(library, "ZSTD_DCtx_reset");
        DecompressStream = (delegate* unmanaged<nint, ZstdBuffer*, ZstdBuffer*, nuint>)Export(library, "ZSTD_decompressStream");
        CompressBound = (delegate* unmanaged<nuint, nuint>)Export(library, "ZSTD_compressBound");
        Compress = (delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint>)Export(library, "ZSTD_compress");
        isError = (delegate* unmanaged<nuint, uint>)Export(library, "ZSTD_isError");
        getErrorName = (delegate* unmanaged<nuint, byte*>)Export(library, "ZSTD_getErrorName");
    }

    /// <summary>The bound library; throws <see cref="DllNotFoundException"/> naming libzstd when it is absent.</summary>
    public static ZstdLibrary Instance => instance ??= new ZstdLibrary(NativeCodecLibrary.Load(FileName, "zstd", "libzstd1"));

    public bool IsError(nuint code) => isError(code) != 0;

    public string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)getErrorName(code)) ?? code.ToString();

    private static nint Export(nint library, string name) => NativeCodecLibrary.Export(library, FileName, name);
}

/// <summary><c>ZSTD_inBuffer</c> / <c>ZSTD_outBuffer</c>: the two share one layout.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdBuffer
{
    public byte* Data;
    public nuint Size;
    public nuint Position;
}
