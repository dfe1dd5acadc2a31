using System.Buffers;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// One response frame on its way out: a pooled buffer holding everything the codec wrote (size
/// prefix, header, body) plus <see cref="Splices"/>, the records the codec left out of the buffer
/// (file slices) with the buffer offset each belongs at. A connection reuses one instance; the
/// array goes back to the pool at <see cref="Reset"/>.
/// </summary>
public sealed class ResponseBuffer
{
    private byte[] _array = [];

    /// <summary>Bytes written into the pooled buffer.</summary>
    public int Length { get; private set; }

    /// <summary>Records to send after <c>buffer[..BufferOffset]</c>, in increasing offset order.</summary>
    public List<RecordsSplice> Splices { get; } = [];

    public ReadOnlyMemory<byte> Buffer => _array.AsMemory(0, Length);

    /// <summary>Total bytes on the wire: the buffer plus every spliced records object.</summary>
    public long FrameLength
    {
        get
        {
            long length = Length;
            foreach (var splice in Splices)
            {
                length += splice.Records.SizeInBytes;
            }
            return length;
        }
    }

    /// <summary>Rents a buffer of exactly <paramref name="length"/> usable bytes for the codec to write into.</summary>
    public Span<byte> Allocate(int length)
    {
        if (Length != 0 || _array.Length != 0)
        {
            throw new InvalidOperationException("ResponseBuffer.Allocate called twice without Reset");
        }
        _array = ArrayPool<byte>.Shared.Rent(length);
        Length = length;
        return _array.AsSpan(0, length);
    }

    /// <summary>Shortens the buffer to what was actually written (a handler may have over-estimated it).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>
    /// Writes the whole frame, records included, into <paramref name="destination"/>
    /// (<see cref="FrameLength"/> bytes): the one copy the TLS and copy paths make.
    /// </summary>
    public void CopyTo(Span<byte> destination)
    {
        var source = _array.AsSpan(0, Length);
        var bufferPosition = 0;
        var written = 0;
        foreach (var splice in Splices)
        {
            var part = source[bufferPosition..splice.BufferOffset];
            part.CopyTo(destination[written..]);
            written += part.Length;
            var records = splice.Records.SizeInBytes;
            splice.Records.CopyTo(destination.Slice(written, records));
            written += records;
            bufferPosition = splice.BufferOffset;
        }
        source[bufferPosition..].CopyTo(destination[written..]);
    }

    public void Reset()
    {
        if (_array.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
        Length = 0;
        Splices.Clear();
    }
}
