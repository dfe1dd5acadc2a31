namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// A tagged field this codec does not know at the decoded version, kept so it can be written back
/// unchanged. <paramref name="Data"/> is the field's value bytes (without tag and size).
/// Lists of these are kept in ascending tag order, as read from the wire.
/// </summary>
public readonly record struct RawTaggedField(int Tag, byte[] Data);
