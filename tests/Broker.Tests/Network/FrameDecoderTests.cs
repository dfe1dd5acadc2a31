using System.Buffers;
using System.Buffers.Binary;
using KafkaSharp.Broker.Network;

namespace KafkaSharp.Broker.Tests.Network;

public class FrameDecoderTests
{
    private const int Max = 1000;

    private static byte[] Frame(params byte[] payload)
    {
        var bytes = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, payload.Length);
        payload.CopyTo(bytes, 4);
        return bytes;
    }

    [Fact]
    public void PartialSizePrefixIsIncomplete()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0 });
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref buffer, Max, out _, out var size));
        Assert.Equal(-1, size);
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void PartialBodyIsIncompleteAndLeavesBufferUnchanged()
    {
        var bytes = Frame(1, 2, 3, 4, 5);
        var buffer = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref buffer, Max, out _, out var size));
        Assert.Equal(5, size);
        Assert.Equal(bytes.Length - 1, buffer.Length);
    }

    [Fact]
    public void SeveralFramesInOneReadAreCutInOrder()
    {
        var bytes = Frame(1, 2).Concat(Frame()).Concat(Frame(3, 4, 5)).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(FrameStatus.Complete, FrameDecoder.TryReadFrame(ref buffer, Max, out var first, out _));
        Assert.Equal(new byte[] { 1, 2 }, first.ToArray());
        Assert.Equal(FrameStatus.Complete, FrameDecoder.TryReadFrame(ref buffer, Max, out var empty, out _));
        Assert.True(empty.IsEmpty);
        Assert.Equal(FrameStatus.Complete, FrameDecoder.TryReadFrame(ref buffer, Max, out var third, out _));
        Assert.Equal(new byte[] { 3, 4, 5 }, third.ToArray());
        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameStatus.Incomplete, FrameDecoder.TryReadFrame(ref buffer, Max, out _, out _));
    }

    [Fact]
    public void FrameAndSizePrefixAcrossSegments()
    {
        var bytes = Frame(1, 2, 3, 4, 5, 6, 7, 8, 9);
        // Split inside the size prefix and twice inside the body.
        var buffer = Segments(bytes[..2], bytes[2..6], bytes[6..9], bytes[9..]);

        Assert.Equal(FrameStatus.Complete, FrameDecoder.TryReadFrame(ref buffer, Max, out var frame, out var size));
        Assert.Equal(9, size);
        Assert.False(frame.IsSingleSegment);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, frame.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void SizeAtTheLimitIsAcceptedAndAboveItIsTooLarge()
    {
        var atLimit = new ReadOnlySequence<byte>(Frame(new byte[Max]));
        Assert.Equal(FrameStatus.Complete, FrameDecoder.TryReadFrame(ref atLimit, Max, out _, out _));

        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, Max + 1);
        var tooLarge = new ReadOnlySequence<byte>(prefix);
        Assert.Equal(FrameStatus.TooLarge, FrameDecoder.TryReadFrame(ref tooLarge, Max, out _, out var size));
        Assert.Equal(Max + 1, size);
    }

    [Fact]
    public void NegativeSizeIsRejectedBeforeTheBodyArrives()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE });
        Assert.Equal(FrameStatus.NegativeSize, FrameDecoder.TryReadFrame(ref buffer, Max, out _, out var size));
        Assert.Equal(-2, size);
    }

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
