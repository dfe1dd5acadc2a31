using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Record values made once before the run. Bytes are random upper-case letters (as Kafka's own
/// producer performance tool uses), and there are enough distinct values to span at least 1 MiB, so
/// compression sees realistic text rather than one value repeated inside a batch.
/// </summary>
internal sealed class PayloadPool
{
    private const int MinimumSpanBytes = 1 << 20;

    private readonly Message<Null, byte[]>[] messages;

    public PayloadPool(int recordSize, long records)
    {
        var count = (int)Math.Min(records, Math.Max(1, (MinimumSpanBytes + recordSize - 1) / recordSize));
        var random = new Random(20_240_601);
        messages = new Message<Null, byte[]>[count];
        for (var index = 0; index < count; index++)
        {
            var value = new byte[recordSize];
            for (var position = 0; position < value.Length; position++)
            {
                value[position] = (byte)('A' + random.Next(26));
            }

            messages[index] = new Message<Null, byte[]> { Value = value };
        }
    }

    public Message<Null, byte[]> this[long recordIndex] => messages[recordIndex % messages.Length];
}
