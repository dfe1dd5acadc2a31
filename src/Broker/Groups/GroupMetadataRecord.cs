using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The record of a classic group's generation in <c>__consumer_offsets</c>, in Kafka's format (its
/// <c>GroupMetadataKey</c> and <c>GroupMetadataValue</c> schemas). Each part starts with an int16 version:
/// <code>
/// key   v2:   group string
/// value v0-4: protocolType string, generation int32, protocol nullable string, leader nullable string,
///             currentStateTimestamp int64 (v2+),
///             members int32 count of:
///               memberId string, groupInstanceId nullable string (v3+), clientId string, clientHost string,
///               rebalanceTimeout int32 (v1+), sessionTimeout int32, subscription bytes, assignment bytes
/// </code>
/// v4 is the flexible encoding of v3 (compact strings, bytes and arrays, tagged fields). Written as
/// v3, like Kafka 4. A null value is a tombstone: the group was deleted.
/// </summary>
internal static class GroupMetadataRecord
{
    public const short KeyVersion = 2;

    private const short ValueVersion = 3;

    public static byte[] Key(string groupId)
    {
        var key = new byte[2 + KafkaWriter.SizeOfString(groupId, false)];
        var writer = new KafkaWriter(key);
        writer.WriteInt16(KeyVersion);
        writer.WriteString(groupId, false);
        return key;
    }

    public static byte[] Value(StoredGroup group)
    {
        int size = 2 + KafkaWriter.SizeOfString(group.ProtocolType, false) + 4 + KafkaWriter.SizeOfNullableString(group.Protocol, false)
            + KafkaWriter.SizeOfNullableString(group.Leader, false) + 8 + 4;
        foreach (var member in group.Members)
        {
            size += KafkaWriter.SizeOfString(member.MemberId, false) + KafkaWriter.SizeOfNullableString(member.GroupInstanceId, false)
                + KafkaWriter.SizeOfString(member.ClientId, false) + KafkaWriter.SizeOfString(member.ClientHost, false) + 4 + 4
                + KafkaWriter.SizeOfBytes(member.Subscription, false) + KafkaWriter.SizeOfBytes(member.Assignment, false);
        }
        var value = new byte[size];
        var writer = new KafkaWriter(value);
        writer.WriteInt16(ValueVersion);
        writer.WriteString(group.ProtocolType, false);
        writer.WriteInt32(group.Generation);
        writer.WriteNullableString(group.Protocol, false);
        writer.WriteNullableString(group.Leader, false);
        writer.WriteInt64(group.CurrentStateTimestampMs);
        writer.WriteInt32(group.Members.Count);
        foreach (var member in group.Members)
        {
            writer.WriteString(member.MemberId, false);
            writer.WriteNullableString(member.GroupInstanceId, false);
            writer.WriteString(member.ClientId, false);
            writer.WriteString(member.ClientHost, false);
            writer.WriteInt32(member.RebalanceTimeoutMs);
            writer.WriteInt32(member.SessionTimeoutMs);
            writer.WriteBytes(member.Subscription, false);
            writer.WriteBytes(member.Assignment, false);
        }
        return value;
    }

    /// <summary>Reads the field after the key's version (2).</summary>
    public static bool TryReadKey(ref KafkaReader reader, out string groupId)
    {
        groupId = reader.ReadString(false);
        return !reader.HasError;
    }

    /// <summary>Reads a value of any version 0-4; false when it is malformed or of an unknown version.</summary>
    public static bool TryReadValue(ReadOnlyMemory<byte> value, out StoredGroup? group)
    {
        group = null;
        var reader = new KafkaReader(value);
        short version = reader.ReadInt16();
        if (reader.HasError || version is < 0 or > 4)
        {
            return false;
        }
        bool flexible = version >= 4;
        string protocolType = reader.ReadString(flexible);
        int generation = reader.ReadInt32();
        string? protocol = reader.ReadNullableString(flexible);
        string? leader = reader.ReadNullableString(flexible);
        long currentStateTimestamp = version >= 2 ? reader.ReadInt64() : -1;
        int count = flexible ? (int)reader.ReadUnsignedVarInt() - 1 : reader.ReadInt32();
        // Each member takes well over 8 bytes, so a count beyond that is malformed, not a reason to allocate.
        if (reader.HasError || count < 0 || count > reader.Remaining / 8)
        {
            return false;
        }
        var members = new List<StoredMember>(count);
        for (int i = 0; i < count; i++)
        {
            string memberId = reader.ReadString(flexible);
            string? groupInstanceId = version >= 3 ? reader.ReadNullableString(flexible) : null;
            string clientId = reader.ReadString(flexible);
            string clientHost = reader.ReadString(flexible);
            int rebalanceTimeout = version >= 1 ? reader.ReadInt32() : -1;
            int sessionTimeout = reader.ReadInt32();
            // Version 0 had no rebalance timeout; Kafka takes the session timeout instead.
            if (version == 0)
            {
                rebalanceTimeout = sessionTimeout;
            }
            byte[] subscription = reader.ReadBytes(flexible);
            byte[] assignment = reader.ReadBytes(flexible);
            if (flexible)
            {
                reader.ReadTaggedFields();
            }
            members.Add(new StoredMember(memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment));
        }
        if (flexible)
        {
            reader.ReadTaggedFields();
        }
        if (reader.HasError)
        {
            return false;
        }
        group = new StoredGroup(protocolType, generation, protocol, leader, currentStateTimestamp, members);
        return true;
    }
}

/// <summary>A classic group's generation as <see cref="GroupMetadataRecord"/> stores it; <see cref="CurrentStateTimestampMs"/> is -1 when unknown.</summary>
internal sealed record StoredGroup(string ProtocolType, int Generation, string? Protocol, string? Leader, long CurrentStateTimestampMs,
    List<StoredMember> Members);

/// <summary>One member of a <see cref="StoredGroup"/>: its subscription is its metadata for the group's protocol.</summary>
internal sealed record StoredMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int RebalanceTimeoutMs, int SessionTimeoutMs, byte[] Subscription, byte[] Assignment);
