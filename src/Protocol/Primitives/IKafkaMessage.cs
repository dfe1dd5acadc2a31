namespace KafkaSharp.Protocol.Primitives;

/// <summary>
/// A generated Kafka message or one of its nested structs (as in Kafka, where nested structs are
/// messages too). Encoding is size-then-write: <see cref="Size"/> gives the exact frame bytes
/// (every records byte included), then <see cref="Write"/> fills a buffer of that size minus the
/// records the writer splices instead of copying (see <see cref="KafkaWriter"/>).
/// </summary>
public interface IKafkaMessage
{
    /// <summary>
    /// Decodes into a freshly constructed instance (fields absent at <paramref name="version"/> keep
    /// their defaults). Never throws on bad input; check <see cref="KafkaReader.HasError"/> afterwards.
    /// </summary>
    void Read(ref KafkaReader reader, short version);

    /// <summary>Encodes at <paramref name="version"/>; throws <see cref="UnsupportedVersionException"/> when that would lose data.</summary>
    void Write(ref KafkaWriter writer, short version);

    /// <summary>The encoded size at <paramref name="version"/>, without allocating.</summary>
    int Size(short version);
}
