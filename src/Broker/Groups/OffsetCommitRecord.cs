using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The record of a committed offset in <c>__consumer_offsets</c>, in Kafka's format (its
/// <c>OffsetCommitKey</c> and <c>OffsetCommitValue</c> schemas), so the log reads the same as
/// Kafka's. Each part starts with an int16 version:
/// <code>
/// key   v0-1: group string, topic string, partition int32                 (written as v1)
/// value v0:   offset int64, metadata string, commitTimestamp int64
///       v1:   offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
///       v2:   as v0
///       v3:   offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
///       v4:   as v3 in the flexible encoding (compact string, tagged fields)
/// </code>
/// Strings are int16-length UTF-8 (compact in v4). A null value is a tombstone: the offset was
/// deleted. Written as Kafka 4 writes them: v1 when the commit has an expire timestamp, else v3.
/// </summary>
internal static class OffsetCommitRecord
{
    public const short KeyVersion = 1;

    public static byte[] Key(string groupId, string topic, int partition)
    {
        var key = new byte[2 + KafkaWriter.SizeOfString(groupId, false) + KafkaWriter.SizeOfString(topic, false) + 4];
        var writer = new KafkaWriter(key);
        writer.WriteInt16(KeyVersion);
        writer.WriteString(groupId, false);
        writer.WriteString(topic, false);
        writer.WriteInt32(partition);
        return key;
    }

    /// <summary>Reads the fields after the key's version (0 or 1).</summary>
    public static bool TryReadKey(ref KafkaReader reader, out string groupId, out string topic, out int partition)
    {
        groupId = reader.ReadString(false);
        topic = reader.ReadString(false);
        partition = reader.ReadInt32();
        return !reader.HasError;
    }

    public static byte[] Value(OffsetAndMetadata offset)
    {
        bool withExpireTimestamp = offset.ExpireTimestampMs != OffsetAndMetadata.NoExpireTimestamp;
        int size = 2 + 8 + KafkaWriter.SizeOfString(offset.Metadata, false) + 8 + (withExpireTimestamp ? 8 : 4);
        var value = new byte[size];
        var writer = new KafkaWriter(value);
        if (withExpireTimestamp)
        {
            writer.WriteInt16(1);
            writer.WriteInt64(offset.CommittedOffset);
            writer.WriteString(offset.Metadata, false);
            writer.WriteInt64(offset.CommitTimestampMs);
            writer.WriteInt64(offset.ExpireTimestampMs);
        }
        else
        {
            writer.WriteInt16(3);
            writer.WriteInt64(offset.CommittedOffset);
            writer.WriteInt32(offset.LeaderEpoch);
            writer.WriteString(offset.Metadata, false);
            writer.WriteInt64(offset.CommitTimestampMs);
        }
        return value;
    }

    /// <summary>Reads a value of any version 0-4; false when it is malformed or of an unknown version.</summary>
    public static bool TryReadValue(ReadOnlyMemory<byte> value, long recordOffset, out OffsetAndMetadata? offset)
    {
        offset = null;
        var reader = new KafkaReader(value);
        short version = reader.ReadInt16();
        if (reader.HasError || version is < 0 or > 4)
        {
            return false;
        }
        bool flexible = version >= 4;
        long committedOffset = reader.ReadInt64();
        int leaderEpoch = version >= 3 ? reader.ReadInt32() : OffsetAndMetadata.NoLeaderEpoch;
        string metadata = reader.ReadString(flexible);
        long commitTimestamp = reader.ReadInt64();
        long expireTimestamp = version == 1 ? reader.ReadInt64() : OffsetAndMetadata.NoExpireTimestamp;
        if (flexible)
        {
            reader.ReadTaggedFields();
        }
        if (reader.HasError)
        {
            return false;
        }
        offset = new OffsetAndMetadata(committedOffset, leaderEpoch, metadata, commitTimestamp, expireTimestamp, recordOffset);
        return true;
    }
}
