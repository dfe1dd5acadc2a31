using System.Runtime.InteropServices;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>
/// One <c>ZSTD_DCtx</c> per thread, reused across batches (creating one costs about 100 KiB of native
/// memory); released by the finalizer when its thread is gone.
/// </summary>
internal sealed unsafe class ZstdDecompressionContext : SafeHandle
{
    [ThreadStatic]
    private static ZstdDecompressionContext? current;

    private ZstdDecompressionContext()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        nint context = ZstdLibrary.Instance.CreateDecompressionContext();
        if (context == IntPtr.Zero)
        {
            throw new InsufficientMemoryException("ZSTD_createDCtx returned no context.");
        }
        SetHandle(context);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>This thread's context, reset so that a frame left half-read by an earlier failure is forgotten.</summary>
    public static nint Acquire()
    {
        current ??= new ZstdDecompressionContext();
        nint context = current.handle;
        ZstdLibrary.Instance.ResetDecompressionContext(context, ZstdLibrary.ResetSessionOnly);
        return context;
    }

    protected override bool ReleaseHandle()
    {
        ZstdLibrary.Instance.FreeDecompressionContext(handle);
        return true;
    }
}
