namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// On generated properties: the versions in which the field is on the wire (its schema range
/// intersected with every enclosing level, and with its tagged versions for tagged fields).
/// Reflection only (tests, tools); the codec itself never reads it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KafkaFieldAttribute(short lowestVersion, short highestVersion) : Attribute
{
    public short LowestVersion { get; } = lowestVersion;

    public short HighestVersion { get; } = highestVersion;

    /// <summary>The tag in flexible versions, or -1 for a regular field.</summary>
    public int Tag { get; init; } = -1;
}
