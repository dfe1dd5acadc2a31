using System.Buffers.Binary;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// The 61-byte header of a magic-2 record batch, read and written in place.
/// <code>
/// offset  size  field
///      0     8  BaseOffset
///      8     4  BatchLength           (bytes after this field: total size = BatchLength + 12)
///     12     4  PartitionLeaderEpoch
///     16     1  Magic                 (2)
///     17     4  Crc                   (CRC-32C of everything from Attributes to the end of the batch)
///     21     2  Attributes            (bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control,
///                                      6 delete horizon present)
///     23     4  LastOffsetDelta
///     27     8  BaseTimestamp
///     35     8  MaxTimestamp
///     43     8  ProducerId
///     51     2  ProducerEpoch
///     53     4  BaseSequence
///     57     4  RecordCount
///     61        records (compressed as a whole when Attributes say so)
/// </code>
/// BaseOffset and PartitionLeaderEpoch lie outside the CRC, so the broker assigns them in place
/// without recomputing it.
/// </summary>
public static class RecordBatchHeader
{
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;
    public const int Size = 61;

    /// <summary>Bytes before BatchLength's count starts: BaseOffset + BatchLength.</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;

    public const short CompressionCodecMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    public static long BaseOffset(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch);

    public static int BatchLength(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]);

    /// <summary>Whole batch size on disk and on the wire.</summary>
    public static int SizeInBytes(ReadOnlySpan<byte> batch) => BatchLength(batch) + LogOverhead;

    public static int PartitionLeaderEpoch(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]);

    public static byte Magic(ReadOnlySpan<byte> batch) => batch[MagicOffset];

    public static uint Crc(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]);

    public static short Attributes(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);

    public static int LastOffsetDelta(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]);

    public static long LastOffset(ReadOnlySpan<byte> batch) => BaseOffset(batch) + LastOffsetDelta(batch);

    public static long BaseTimestamp(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]);

    public static long MaxTimestamp(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]);

    public static long ProducerId(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]);

    public static short ProducerEpoch(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]);

    public static int BaseSequence(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]);

    public static int RecordCount(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[RecordCountOffset..]);

    public static CompressionType Compression(ReadOnlySpan<byte> batch) => (CompressionType)(Attributes(batch) & CompressionCodecMask);

    public static bool IsTransactional(ReadOnlySpan<byte> batch) => (Attributes(batch) & TransactionalFlag) != 0;

    public static bool IsControl(ReadOnlySpan<byte> batch) => (Attributes(batch) & ControlFlag) != 0;

    /// <summary>CRC-32C over Attributes..end, as stored in the Crc field.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>True when the whole batch is present and its stored CRC matches its content.</summary>
    public static bool IsCrcValid(ReadOnlySpan<byte> batch) =>
        batch.Length >= Size && batch.Length == SizeInBytes(batch) && Crc(batch) == ComputeCrc(batch);

    public static void SetCrc(Span<byte> batch, uint crc) => BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], crc);

    public static void SetBaseOffset(Span<byte> batch, long baseOffset) => BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);

    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);
}

/// <summary>The compression codec in a batch's attributes (bits 0-2), numbered as Kafka numbers them.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
