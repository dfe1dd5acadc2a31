namespace KafkaSharp.Storage;

/// <summary>
/// What DescribeProducers reports of one idempotent producer of a partition: its epoch, the last
/// sequence of its newest retained batch (-1 when none) and that batch's timestamp.
/// </summary>
public readonly record struct ActiveProducer(long ProducerId, short ProducerEpoch, int LastSequence, long LastTimestamp);
