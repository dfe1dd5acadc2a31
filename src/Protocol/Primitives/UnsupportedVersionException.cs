namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// Thrown by a generated <c>Write</c> when the message cannot be expressed at the requested version
/// without losing data: a non-ignorable field holds a non-default value but the version lacks the
/// field, or a field holds null in a version where it is not nullable (Kafka's
/// UnsupportedVersionException). It signals a bug in the code that built the message, never bad input.
/// </summary>
public sealed class UnsupportedVersionException(string message) : Exception(message);
