using System.Buffers.Binary;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Storage;

/// <summary>A log position: the offset and the byte position in the segment of the batch that holds it.</summary>
internal readonly record struct OffsetPosition(long Offset, int Position);

/// <summary>
/// A segment's <c>.index</c> file: a sparse map from offsets to byte positions in the <c>.log</c> file.
/// <code>
/// entry (8 bytes, big-endian):  int32 relativeOffset   int32 position
/// </code>
/// An entry (r, p) says the batch starting at byte p ends at offset BaseOffset + r (its last offset).
/// Invariants: relative offsets strictly increase, positions strictly increase, every position is
/// the start of a batch in the segment. An entry is added before a batch once more than
/// <c>index.interval.bytes</c> were appended since the previous entry, so finding an offset means
/// finding the last entry at or below it and scanning batch headers from its position.
/// </summary>
internal sealed class OffsetIndex(string path, long baseOffset) : AbstractIndex(path, baseOffset)
{
    public const string Suffix = ".index";

    public override int EntrySize => 8;

    public OffsetPosition Entry(int n)
    {
        var bytes = EntryBytes(n);
        return new OffsetPosition(BaseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes[4..]));
    }

    /// <summary>The last entry, or (BaseOffset, 0) for an empty index.</summary>
    public OffsetPosition LastEntry
    {
        get
        {
            int entries = Entries;
            return entries == 0 ? new OffsetPosition(BaseOffset, 0) : Entry(entries - 1);
        }
    }

    public void Append(long offset, int position)
    {
        int entries = Entries;
        if (entries > 0)
        {
            var last = Entry(entries - 1);
            if (offset <= last.Offset || position <= last.Position)
            {
                throw new InvalidOperationException(
                    $"Offset index entry ({offset}, {position}) does not follow ({last.Offset}, {last.Position}) in {Path}");
            }
        }
        Span<byte> entry = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(entry, checked((int)(offset - BaseOffset)));
        BinaryPrimitives.WriteInt32BigEndian(entry[4..], position);
        AppendEntry(entry);
    }

    /// <summary>
    /// The last entry whose offset is at most <paramref name="targetOffset"/>, or (BaseOffset, 0) when
    /// there is none: the position to scan from for the batch holding the target.
    /// </summary>
    public OffsetPosition Lookup(long targetOffset)
    {
        int low = 0, high = Entries - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (Entry(middle).Offset <= targetOffset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found < 0 ? new OffsetPosition(BaseOffset, 0) : Entry(found);
    }

    /// <summary>
    /// The last entry whose offset is below <paramref name="offsetLimit"/> and whose position is below
    /// <paramref name="positionLimit"/>, or <c>null</c>. Offsets and positions both increase, so the
    /// entries meeting both form a prefix. A fetch uses it to jump over whole batches it will return.
    /// </summary>
    public OffsetPosition? LastEntryBelow(long offsetLimit, long positionLimit)
    {
        int low = 0, high = Entries - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            var entry = Entry(middle);
            if (entry.Offset < offsetLimit && entry.Position < positionLimit)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found < 0 ? null : Entry(found);
    }

    /// <summary>
    /// Checks a loaded index against its segment: whole entries, offsets and positions strictly
    /// increasing, and the last entry naming a batch that really is at its position with that last
    /// offset. <paramref name="readHeader"/> reads a batch header at a position (false past the end).
    /// </summary>
    public bool IsConsistent(int logSize, ReadHeader readHeader)
    {
        if (!LengthWasExact)
        {
            return false;
        }
        int entries = Entries;
        var previous = new OffsetPosition(BaseOffset - 1, -1);
        for (int n = 0; n < entries; n++)
        {
            var entry = Entry(n);
            if (entry.Offset <= previous.Offset || entry.Position <= previous.Position || entry.Position >= logSize)
            {
                return false;
            }
            previous = entry;
        }
        if (entries == 0)
        {
            return true;
        }
        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        return readHeader(previous.Position, header) && RecordBatchHeader.LastOffset(header) == previous.Offset;
    }
}

/// <summary>Reads the batch header at a segment position; false when no whole header is there.</summary>
internal delegate bool ReadHeader(long position, Span<byte> header);
