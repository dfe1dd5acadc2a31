using System.Diagnostics;
using System.Numerics;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Send times and delivery reports of one produce run, without allocating per record.
/// librdkafka reports deliveries of one partition in the order the records were produced, so the
/// n-th report of a partition belongs to the n-th record sent to it; each partition keeps its send
/// timestamps in a ring that the producing thread never laps (<see cref="HasRoom"/>).
/// The producing thread calls <see cref="HasRoom"/>, <see cref="BeforeSend"/> and <see cref="AfterSend"/>;
/// librdkafka's poll thread calls <see cref="OnDelivery"/>.
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly long[][] sendTimestamps;
    private readonly long[] sentPerPartition;
    private readonly long[] deliveredPerPartition;
    private readonly long ringMask;
    private long delivered;
    private long failed;
    private long lastDeliveryTimestamp;

    public DeliveryTracker(int partitions, long records)
    {
        var recordsPerPartition = (records + partitions - 1) / partitions;
        var ringSize = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Min(ClientConfigs.ProducerWindowRecords, recordsPerPartition));
        ringMask = ringSize - 1;
        sendTimestamps = new long[partitions][];
        for (var partition = 0; partition < partitions; partition++)
        {
            sendTimestamps[partition] = new long[ringSize];
        }

        sentPerPartition = new long[partitions];
        deliveredPerPartition = new long[partitions];
        Handler = OnDelivery;
    }

    /// <summary>The delivery handler, created once.</summary>
    public Action<DeliveryReport<Null, byte[]>> Handler { get; }

    public LatencyHistogram Latency { get; } = new();

    public long Delivered => Volatile.Read(ref delivered);

    public long Failed => Volatile.Read(ref failed);

    public Error? FirstError { get; private set; }

    public long LastDeliveryTimestamp => Volatile.Read(ref lastDeliveryTimestamp);

    public bool HasRoom(int partition) =>
        sentPerPartition[partition] - Volatile.Read(ref deliveredPerPartition[partition]) <= ringMask;

    /// <summary>Stamps the send time of the partition's next record; a retried send stamps it again.</summary>
    public void BeforeSend(int partition) =>
        sendTimestamps[partition][sentPerPartition[partition] & ringMask] = Stopwatch.GetTimestamp();

    public void AfterSend(int partition) => sentPerPartition[partition]++;

    private void OnDelivery(DeliveryReport<Null, byte[]> report)
    {
        var now = Stopwatch.GetTimestamp();
        var partition = report.Partition.Value;
        var sequence = deliveredPerPartition[partition];
        var sentAt = sendTimestamps[partition][sequence & ringMask];
        Latency.Record((now - sentAt) * 1_000_000 / Stopwatch.Frequency);
        if (report.Error.IsError)
        {
            FirstError ??= report.Error;
            Volatile.Write(ref failed, failed + 1);
        }

        Volatile.Write(ref deliveredPerPartition[partition], sequence + 1);
        Volatile.Write(ref lastDeliveryTimestamp, now);
        Volatile.Write(ref delivered, delivered + 1);
    }
}
