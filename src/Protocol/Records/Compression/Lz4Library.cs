using System.Runtime.InteropServices;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>The LZ4 frame API (<c>LZ4F_*</c>) of the system's liblz4, bound once per process on first use.</summary>
internal sealed unsafe class Lz4Library
{
    public const string FileName = "liblz4.so.1";

    /// <summary>LZ4F_VERSION: the frame API version the context functions are asked for.</summary>
    public const uint FrameApiVersion = 100;

    private static Lz4Library? instance;

    public readonly delegate* unmanaged<nint*, uint, nuint> CreateDecompressionContext;
    public readonly delegate* unmanaged<nint, nuint> FreeDecompressionContext;
    public readonly delegate* unmanaged<nint, void> ResetDecompressionContext;
    public readonly delegate* unmanaged<nint, byte*, nuint*, byte*, nuint*, void*, nuint> Decompress;
    public readonly delegate* unmanaged<nuint, Lz4Preferences*, nuint> CompressFrameBound;
    public readonly delegate* unmanaged<byte*, nuint, byte*, nuint, Lz4Preferences*, nuint> CompressFrame;
    private readonly delegate* unmanaged<nuint, uint> isError;
    private readonly delegate* unmanaged<nuint, byte*> getErrorName;

    private Lz4Library(nint library)
    {
        CreateDecompressionContext = (delegate* unmanaged<nint*, uint, nuint>)Export(library, "LZ4F_createDecompressionContext");
        FreeDecompressionContext = (delegate* unmanaged<nint, nuint>)Export(library, "LZ4F_freeDecompressionContext");
        ResetDecompressionContext = (delegate* unmanaged<nint, void>)Export(library, "LZ4F_resetDecompressionContext");
        Decompress = (delegate* unmanaged<nint, byte*, nuint*, byte*, nuint*, void*, nuint>)Export(library, "LZ4F_decompress");
        CompressFrameBound = (delegate* unmanaged<nuint, Lz4Preferences*, nuint>)Export(library, "LZ4F_compressFrameBound");
        CompressFrame = (delegate* unmanaged<byte*, nuint, byte*, nuint, Lz4Preferences*, nuint>)Export(library, "LZ4F_compressFrame");
        isError = (delegate* unmanaged<nuint, uint>)Export(library, "LZ4F_isError");
        getErrorName = (delegate* unmanaged<nuint, byte*>)Export(library, "LZ4F_getErrorName");
    }

    /// <summary>The bound library; throws <see cref="DllNotFoundException"/> naming liblz4 when it is absent.</summary>
    public static Lz4Library Instance => instance ??= new Lz4Library(NativeCodecLibrary.Load(FileName, "lz4", "liblz4-1"));

    public bool IsError(nuint code) => isError(code) != 0;

    public string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)getErrorName(code)) ?? code.ToString();

    private static nint Export(nint library, string name) => NativeCodecLibrary.Export(library, FileName, name);
}

/// <summary><c>LZ4F_preferences_t</c> (with its <c>LZ4F_frameInfo_t</c> inlined), as lz4 1.8 and later lay it out.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Lz4Preferences
{
    public int BlockSizeId;
    public int BlockMode;
    public int ContentChecksumFlag;
    public int FrameType;
    public ulong ContentSize;
    public uint DictionaryId;
    public int BlockChecksumFlag;
    public int CompressionLevel;
    public uint AutoFlush;
    public uint FavorDecompressionSpeed;
    public uint Reserved0;
    public uint Reserved1;
    public uint Reserved2;
}
