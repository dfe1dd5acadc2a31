using System.Runtime.InteropServices;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// One <c>LZ4F_dctx</c> per thread, reused across batches so decompression does not allocate native
/// state each time; released by the finalizer when its thread is gone.
/// </summary>
internal sealed unsafe class Lz4DecompressionContext : SafeHandle
{
    [ThreadStatic]
    private static Lz4DecompressionContext? current;

    private Lz4DecompressionContext()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        nint context;
        Lz4Library library = Lz4Library.Instance;
        nuint code = library.CreateDecompressionContext(&context, Lz4Library.FrameApiVersion);
        if (library.IsError(code))
        {
            throw new InvalidOperationException($"LZ4F_createDecompressionContext failed: {library.ErrorName(code)}");
        }
        SetHandle(context);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>This thread's context, reset so that a frame left half-read by an earlier failure is forgotten.</summary>
    public static nint Acquire()
    {
        current ??= new Lz4DecompressionContext();
        nint context = current.handle;
        Lz4Library.Instance.ResetDecompressionContext(context);
        return context;
    }

    protected override bool ReleaseHandle()
    {
        Lz4Library.Instance.FreeDecompressionContext(handle);
        return true;
    }
}
