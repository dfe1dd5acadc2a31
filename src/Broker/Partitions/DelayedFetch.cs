using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// A fetch parked in the <see cref="FetchPurgatory"/> (Kafka's DelayedFetch): it completes once its
/// partitions hold at least MinBytes of fetchable data beyond the fetch offsets, when MaxWaitMs has
/// passed, or, cancelled, when the connection goes away. Whatever completes it first wins; the others
/// find it completed. The fetch handler then reads all partitions again for the response.
/// </summary>
/// <remarks>
/// Checks run on the thread that moved a high watermark (an append or, in durable mode, an fsync),
/// under that partition's watcher lock. With MinBytes 1 (every client's default) a check is one
/// comparison; with more, it reads the batch headers from the fetch offset to count the bytes, capped
/// at the partition's max bytes as Kafka caps them.
/// </remarks>
internal sealed class DelayedFetch
{
    private readonly FetchPurgatory _purgatory;
    private readonly FetchPartition[] _partitions;
    private readonly int _minBytes;
    private readonly int[]? _bytesAvailable;
    private readonly Lock? _bytesLock;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;
    private int _completed;

    public DelayedFetch(FetchPurgatory purgatory, FetchPartition[] partitions, int minBytes)
    {
        _purgatory = purgatory;
        _partitions = partitions;
        _minBytes = minBytes;
        if (minBytes > 1)
        {
            _bytesAvailable = new int[partitions.Length];
            _bytesLock = new Lock();
        }
    }

    public Task Task => _completion.Task;

    public ReadOnlySpan<FetchPartition> Partitions => _partitions;

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Arms the timer and the cancellation; either completes the fetch if it is still parked.</summary>
    public void Start(TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken.UnsafeRegister(static state => ((DelayedFetch)state!).Cancel(), this);
        var timer = time.CreateTimer(static state => ((DelayedFetch)state!).Expire(), this, maxWait, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _timer, timer);
        if (IsCompleted)
        {
            Interlocked.Exchange(ref _timer, null)?.Dispose();
        }
    }

    /// <summary>
    /// Re-checks every partition on <paramref name="log"/> (called under its watcher lock); true when
    /// the fetch has become completable. The caller then claims it with <see cref="TryClaim"/>.
    /// </summary>
    public bool IsSatisfiedAfterAdvance(PartitionLog log)
    {
        bool satisfied = false;
        for (int i = 0; i < _partitions.Length; i++)
        {
            if (ReferenceEquals(_partitions[i].Log, log))
            {
                satisfied |= CheckPartition(i, log);
            }
        }
        return satisfied;
    }

    /// <summary>Checks every partition; true when the fetch can complete now (used right after parking).</summary>
    public bool IsSatisfied()
    {
        bool satisfied = false;
        for (int i = 0; i < _partitions.Length; i++)
        {
            if (_partitions[i].Log is { } log)
            {
                satisfied |= CheckPartition(i, log);
            }
        }
        return satisfied;
    }

    /// <summary>
    /// Kafka's DelayedFetch.tryComplete for one partition: records beyond the fetch offset count up to
    /// the partition's max bytes; a fetch offset that fell below the log start offset (retention), or a
    /// read that fails, completes the fetch so the client learns of it.
    /// </summary>
    private bool CheckPartition(int index, PartitionLog log)
    {
        ref readonly var partition = ref _partitions[index];
        long highWatermark = log.HighWatermark;
        if (partition.FetchOffset < log.LogStartOffset)
        {
            return true;
        }
        if (highWatermark <= partition.FetchOffset)
        {
            return false;
        }
        if (_bytesAvailable is null)
        {
            return true;
        }
        LogReadResult read;
        try
        {
            read = log.Read(partition.FetchOffset, partition.MaxBytes, highWatermark, minOneMessage: true);
        }
        catch (IOException)
        {
            return true;
        }
        if (read.OffsetOutOfRange)
        {
            return true;
        }
        // Appends to two partitions of this fetch may check it at the same time.
        lock (_bytesLock!)
        {
            _bytesAvailable[index] = Math.Min(read.Records.SizeInBytes, partition.MaxBytes);
            long total = 0;
            foreach (int bytes in _bytesAvailable)
            {
                total += bytes;
            }
            return total >= _minBytes;
        }
    }

    /// <summary>True for exactly one caller: the one that completes the fetch.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _completed, 1) == 0;

    /// <summary>Completes a claimed fetch: stops watching, disarms timer and cancellation, resumes the handler.</summary>
    public void Complete(bool cancelled = false)
    {
        _purgatory.Unwatch(this);
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _cancellation.Unregister();
        if (cancelled)
        {
            _completion.TrySetCanceled();
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    private void Expire()
    {
        if (TryClaim())
        {
            Complete();
        }
    }

    private void Cancel()
    {
        if (TryClaim())
        {
            Complete(cancelled: true);
        }
    }
}
