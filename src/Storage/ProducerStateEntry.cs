using System.Runtime.CompilerServices;

namespace KafkaSharp.Storage;

/// <summary>
/// One idempotent producer's state in one partition (Kafka's ProducerStateEntry): its current
/// epoch, the metadata of its last <see cref="BatchesToRetain"/> batches (oldest first) and the
/// timestamp of its last batch, which <c>producer.id.expiration.ms</c> is measured from. A new
/// epoch starts with no batches. Changed only under the partition lock.
/// </summary>
internal sealed class ProducerStateEntry(long producerId, short producerEpoch, long lastTimestamp)
{
    /// <summary>A producer has at most five requests in flight, so a retry is always one of its last five batches.</summary>
    public const int BatchesToRetain = 5;

    private RetainedBatches _batches;
    private int _oldest;

    public long ProducerId { get; } = producerId;

    public short ProducerEpoch { get; private set; } = producerEpoch;

    public long LastTimestamp { get; private set; } = lastTimestamp;

    public int BatchCount { get; private set; }

    /// <summary>The retained batches, oldest first.</summary>
    public BatchMetadata this[int index] => _batches[(_oldest + index) % BatchesToRetain];

    /// <summary>The last sequence of the newest batch, or -1 (no sequence) when none is retained.</summary>
    public int LastSequence => BatchCount == 0 ? ProducerStateManager.NoSequence : this[BatchCount - 1].LastSequence;

    /// <summary>Records a batch; a new epoch first forgets the batches of the old one.</summary>
    public void AddBatch(short producerEpoch, BatchMetadata batch)
    {
        if (producerEpoch != ProducerEpoch)
        {
            ProducerEpoch = producerEpoch;
            BatchCount = 0;
            _oldest = 0;
        }
        if (BatchCount == BatchesToRetain)
        {
            _batches[_oldest] = batch;
            _oldest = (_oldest + 1) % BatchesToRetain;
        }
        else
        {
            _batches[(_oldest + BatchCount) % BatchesToRetain] = batch;
            BatchCount++;
        }
        LastTimestamp = batch.Timestamp;
    }

    /// <summary>The retained batch of this epoch with exactly this sequence range: the batch a retry duplicates.</summary>
    public BatchMetadata? FindDuplicate(short producerEpoch, int firstSequence, int lastSequence)
    {
        if (producerEpoch != ProducerEpoch)
        {
            return null;
        }
        for (int i = 0; i < BatchCount; i++)
        {
            var batch = this[i];
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                return batch;
            }
        }
        return null;
    }

    [InlineArray(BatchesToRetain)]
    private struct RetainedBatches
    {
        private BatchMetadata _first;
    }
}
