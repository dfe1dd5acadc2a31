using System.Buffers.Binary;
using System.Globalization;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage.Checkpoints;

/// <summary>
/// Kafka's producer state snapshot, <c>&lt;offset, 20 digits&gt;.snapshot</c> in a partition
/// directory: the producers' state as it was after every record below that offset. Kafka's format
/// (ProducerSnapshot version 1), big-endian:
/// <code>
/// offset  size  field
///      0     2  Version                (1)
///      2     4  Crc                    (CRC-32C of everything after this field)
///      6     4  entry count
///     10    46  per entry: ProducerId int64, Epoch int16, LastSequence int32, LastOffset int64,
///               OffsetDelta int32, Timestamp int64, CoordinatorEpoch int32 (-1),
///               CurrentTxnFirstOffset int64 (-1: no transaction)
/// </code>
/// Each entry holds the producer's newest batch only, as Kafka's does (LastOffset -1: none).
/// </summary>
internal static class ProducerSnapshotFile
{
    public const string Suffix = ".snapshot";

    private const short Version = 1;
    private const int CrcOffset = 2;
    private const int EntriesOffset = 6;
    private const int EntrySize = 46;

    public static string Path(string directory, long offset) => System.IO.Path.Combine(directory, LogSegment.FileName(offset, Suffix));

    /// <summary>The offsets of the snapshot files in <paramref name="directory"/>, ascending.</summary>
    public static List<long> ListOffsets(string directory)
    {
        var offsets = new List<long>();
        foreach (string path in Directory.EnumerateFiles(directory, "*" + Suffix))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(path);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                offsets.Add(offset);
            }
        }
        offsets.Sort();
        return offsets;
    }

    /// <summary>
    /// Writes the snapshot through a temp file renamed into place, so the name never shows a partial
    /// file. With <paramref name="sync"/> the file and the directory are fsynced (<see cref="AtomicFile"/>);
    /// without, a crash may leave it torn, which its CRC reveals on load.
    /// </summary>
    public static void Write(string path, ICollection<ProducerStateEntry> entries, bool sync)
    {
        byte[] content = new byte[EntriesOffset + 4 + entries.Count * EntrySize];
        BinaryPrimitives.WriteInt16BigEndian(content, Version);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(EntriesOffset), entries.Count);
        int position = EntriesOffset + 4;
        foreach (var entry in entries)
        {
            var field = content.AsSpan(position, EntrySize);
            bool hasBatch = entry.BatchCount > 0;
            var last = hasBatch ? entry[entry.BatchCount - 1] : default;
            BinaryPrimitives.WriteInt64BigEndian(field, entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(field[8..], entry.ProducerEpoch);
            BinaryPrimitives.WriteInt32BigEndian(field[10..], hasBatch ? last.LastSequence : ProducerStateManager.NoSequence);
            BinaryPrimitives.WriteInt64BigEndian(field[14..], hasBatch ? last.LastOffset : -1);
            BinaryPrimitives.WriteInt32BigEndian(field[22..], hasBatch ? last.OffsetDelta : 0);
            BinaryPrimitives.WriteInt64BigEndian(field[26..], entry.LastTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(field[34..], -1);
            BinaryPrimitives.WriteInt64BigEndian(field[38..], -1);
            position += EntrySize;
        }
        BinaryPrimitives.WriteUInt32BigEndian(content.AsSpan(CrcOffset), Crc32C.Compute(content.AsSpan(EntriesOffset)));
        if (sync)
        {
            AtomicFile.Write(path, content);
            return;
        }
        string temp = path + AtomicFile.TempSuffix;
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>fsyncs a snapshot written without <c>sync</c> (the directory entry is the caller's to flush).</summary>
    public static void FlushToDisk(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>The producers in the snapshot at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is torn, damaged or of another version.</exception>
    public static List<ProducerStateEntry> Read(string path)
    {
        byte[] content = File.ReadAllBytes(path);
        if (content.Length < EntriesOffset + 4)
        {
            throw Corrupt(path, "shorter than its header");
        }
        short version = BinaryPrimitives.ReadInt16BigEndian(content);
        if (version != Version)
        {
            throw Corrupt(path, $"unknown version {version}");
        }
        uint crc = BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(CrcOffset));
        if (crc != Crc32C.Compute(content.AsSpan(EntriesOffset)))
        {
            throw Corrupt(path, "CRC mismatch");
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(EntriesOffset));
        if (count < 0 || (long)count * EntrySize != content.Length - EntriesOffset - 4)
        {
            throw Corrupt(path, $"entry count {count} does not match its length");
        }
        var entries = new List<ProducerStateEntry>(count);
        for (int position = EntriesOffset + 4; position < content.Length; position += EntrySize)
        {
            var field = content.AsSpan(position, EntrySize);
            long producerId = BinaryPrimitives.ReadInt64BigEndian(field);
            short epoch = BinaryPrimitives.ReadInt16BigEndian(field[8..]);
            int lastSequence = BinaryPrimitives.ReadInt32BigEndian(field[10..]);
            long lastOffset = BinaryPrimitives.ReadInt64BigEndian(field[14..]);
            int offsetDelta = BinaryPrimitives.ReadInt32BigEndian(field[22..]);
            long timestamp = BinaryPrimitives.ReadInt64BigEndian(field[26..]);
            var entry = new ProducerStateEntry(producerId, epoch, timestamp);
            if (lastOffset >= 0)
            {
                entry.AddBatch(epoch, new BatchMetadata(lastSequence, lastOffset, offsetDelta, timestamp));
            }
            entries.Add(entry);
        }
        return entries;
    }

    private static InvalidDataException Corrupt(string path, string reason) => new($"Producer state snapshot {path} is unusable: {reason}");
}
