using System.Buffers;
using System.Buffers.Binary;

namespace KafkaSharp.Broker.Network;

public enum FrameStatus
{
    /// <summary>A whole frame was cut off the front of the buffer.</summary>
    Complete,

    /// <summary>The buffer holds only part of the next frame (or of its size); read more.</summary>
    Incomplete,

    /// <summary>The size prefix exceeds the limit; the connection must be closed.</summary>
    TooLarge,

    /// <summary>The size prefix is negative; the connection must be closed.</summary>
    NegativeSize,
}

/// <summary>
/// Cuts Kafka request frames (int32 size, then that many bytes) off the front of received bytes.
/// Frames are not copied here: the caller gets a slice of the receive buffer.
/// </summary>
public static class FrameDecoder
{
    public const int SizePrefixLength = 4;

    /// <summary>
    /// On <see cref="FrameStatus.Complete"/>, <paramref name="frame"/> is the frame without its size
    /// prefix and <paramref name="buffer"/> starts after it; otherwise <paramref name="buffer"/> is
    /// unchanged and <paramref name="frameSize"/> is the declared size when one could be read (else -1).
    /// </summary>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes,
        out ReadOnlySequence<byte> frame, out int frameSize)
    {
        frame = default;
        frameSize = -1;
        if (buffer.Length < SizePrefixLength)
        {
            return FrameStatus.Incomplete;
        }
        var first = buffer.FirstSpan;
        if (first.Length >= SizePrefixLength)
        {
            frameSize = BinaryPrimitives.ReadInt32BigEndian(first);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[SizePrefixLength];
            buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
            frameSize = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }
        if (frameSize < 0)
        {
            return FrameStatus.NegativeSize;
        }
        if (frameSize > maxFrameBytes)
        {
            return FrameStatus.TooLarge;
        }
        if (buffer.Length - SizePrefixLength < frameSize)
        {
            return FrameStatus.Incomplete;
        }
        frame = buffer.Slice(SizePrefixLength, frameSize);
        buffer = buffer.Slice(frame.End);
        return FrameStatus.Complete;
    }
}
