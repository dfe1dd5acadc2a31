using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>Reads only a record value's length, so consuming copies no value bytes into managed memory.</summary>
internal sealed class ValueSizeDeserializer : IDeserializer<int>
{
    public static readonly ValueSizeDeserializer Instance = new();

    public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
}
