using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// A records value that <see cref="KafkaWriter"/> did not copy: on the wire, the
/// <see cref="BaseRecords.SizeInBytes"/> bytes of <paramref name="Records"/> go right after
/// <c>buffer[..BufferOffset]</c> (the length prefix is already in the buffer).
/// </summary>
public readonly record struct RecordsSplice(int BufferOffset, BaseRecords Records);
