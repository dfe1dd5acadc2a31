using System.Buffers;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// Reads the record batches of a segment that no longer takes appends, in order, through one
/// pooled buffer filled with large positional reads (<c>log.cleaner.io.buffer.size</c>); a batch
/// larger than the buffer grows it. The batches were validated when they were appended or
/// recovered; a header that does not frame a whole batch inside the segment is reported as
/// <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class SegmentBatchReader : IDisposable
{
    private readonly LogSegment _segment;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferPosition;
    private int _bufferLength;
    private int _next;

    public SegmentBatchReader(LogSegment segment, long startPosition, int bufferSize)
    {
        _segment = segment;
        _end = segment.Size;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, RecordBatchHeader.Size));
        _bufferPosition = startPosition;
    }

    /// <summary>The file position of the next batch.</summary>
    public long Position => _bufferPosition + _next;

    /// <summary>The next whole batch; valid until the next call. False at the end of the segment.</summary>
    public bool TryReadNext(out ReadOnlySpan<byte> batch)
    {
        batch = default;
        long position = Position;
        if (position >= _end)
        {
            return false;
        }
        if (_end - position < RecordBatchHeader.Size)
        {
            throw Corrupt(position, "the segment ends inside a batch header");
        }
        if (_bufferLength - _next < RecordBatchHeader.Size)
        {
            Fill(RecordBatchHeader.Size);
        }
        var header = _buffer.AsSpan(_next, RecordBatchHeader.Size);
        if (RecordBatchHeader.Magic(header) != RecordBatchHeader.CurrentMagic ||
            RecordBatchHeader.BatchLength(header) < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            throw Corrupt(position, "not a magic-2 batch header");
        }
        int size = RecordBatchHeader.SizeInBytes(header);
        if (size > _end - position)
        {
            throw Corrupt(position, $"a batch of {size} bytes runs past the end of the segment");
        }
        if (_bufferLength - _next < size)
        {
            Fill(size);
        }
        batch = _buffer.AsSpan(_next, size);
        _next += size;
        return true;
    }

    /// <summary>Moves the buffer to the next batch and reads on, growing the buffer to at least <paramref name="needed"/> bytes.</summary>
    private void Fill(int needed)
    {
        _bufferPosition += _next;
        _next = 0;
        if (_buffer.Length < needed)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
        int length = (int)Math.Min(_buffer.Length, _end - _bufferPosition);
        var destination = _buffer.AsSpan(0, length);
        int total = 0;
        while (total < length)
        {
            int read = RandomAccess.Read(_segment.LogFile.SafeFileHandle, destination[total..], _bufferPosition + total);
            if (read == 0)
            {
                throw Corrupt(_bufferPosition + total, "the file is shorter than the segment size");
            }
            total += read;
        }
        _bufferLength = length;
    }

    private InvalidDataException Corrupt(long position, string reason) =>
        new($"{_segment.LogPath} at position {position}: {reason}");

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
