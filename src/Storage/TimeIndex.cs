using System.Buffers.Binary;

namespace KafkaSharp.Storage;

/// <summary>A timestamp and the offset at which a segment's largest timestamp so far first reached it.</summary>
internal readonly record struct TimestampOffset(long Timestamp, long Offset)
{
    public static TimestampOffset Unknown(long baseOffset) => new(-1, baseOffset);
}

/// <summary>
/// A segment's <c>.timeindex</c> file: a sparse map from timestamps to offsets.
/// <code>
/// entry (12 bytes, big-endian):  int64 timestamp   int32 relativeOffset
/// </code>
/// An entry (t, r) says: t is the largest timestamp in the segment up to and including the batch
/// whose last offset is BaseOffset + r, so no record before that batch has a timestamp above t.
/// Invariants: timestamps strictly increase, relative offsets never decrease. Entries are added
/// with offset index entries when the largest timestamp grew, plus a final one when the segment
/// stops being active, so the last entry is the segment's largest timestamp. One entry is kept in
/// reserve for that final entry.
/// </summary>
internal sealed class TimeIndex(string path, long baseOffset) : AbstractIndex(path, baseOffset)
{
    public const string Suffix = ".timeindex";

    public override int EntrySize => 12;

    public override bool IsFull => Entries >= MaxEntries - 1;

    public TimestampOffset Entry(int n)
    {
        var bytes = EntryBytes(n);
        return new TimestampOffset(BinaryPrimitives.ReadInt64BigEndian(bytes), BaseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes[8..]));
    }

    /// <summary>The last entry, or (-1, BaseOffset) for an empty index.</summary>
    public TimestampOffset LastEntry
    {
        get
        {
            int entries = Entries;
            return entries == 0 ? TimestampOffset.Unknown(BaseOffset) : Entry(entries - 1);
        }
    }

    /// <summary>
    /// Adds an entry when <paramref name="timestamp"/> is above the last one. The final entry of a
    /// segment may use the reserved slot (<paramref name="skipFullCheck"/>).
    /// </summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        int entries = Entries;
        if (entries >= MaxEntries || (!skipFullCheck && IsFull))
        {
            return; // sparse: a missing entry only makes lookups scan further
        }
        var last = entries == 0 ? TimestampOffset.Unknown(BaseOffset) : Entry(entries - 1);
        if (timestamp <= last.Timestamp)
        {
            return; // also keeps "no timestamp" (-1) out of an empty index
        }
        if (offset < last.Offset)
        {
            throw new InvalidOperationException(
                $"Time index entry ({timestamp}, {offset}) goes back from ({last.Timestamp}, {last.Offset}) in {Path}");
        }
        Span<byte> entry = stackalloc byte[12];
        BinaryPrimitives.WriteInt64BigEndian(entry, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(entry[8..], checked((int)(offset - BaseOffset)));
        AppendEntry(entry);
    }

    /// <summary>
    /// The last entry whose timestamp is at most <paramref name="targetTimestamp"/>, or (-1, BaseOffset):
    /// records with a timestamp at or above the target can only be in or after that entry's batch.
    /// </summary>
    public TimestampOffset Lookup(long targetTimestamp)
    {
        int low = 0, high = Entries - 1, found = -1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (Entry(middle).Timestamp <= targetTimestamp)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found < 0 ? TimestampOffset.Unknown(BaseOffset) : Entry(found);
    }

    /// <summary>Whole entries, timestamps strictly increasing, offsets not decreasing and not before the segment.</summary>
    public bool IsConsistent(long nextOffset)
    {
        if (!LengthWasExact)
        {
            return false;
        }
        var previous = TimestampOffset.Unknown(BaseOffset);
        for (int n = 0, entries = Entries; n < entries; n++)
        {
            var entry = Entry(n);
            if (entry.Timestamp <= previous.Timestamp || entry.Offset < previous.Offset || entry.Offset >= nextOffset)
            {
                return false;
            }
            previous = entry;
        }
        return true;
    }
}
