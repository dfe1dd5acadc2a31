using System.Collections.Concurrent;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Partitions;

/// <summary>
/// Where fetches wait for data (Kafka's fetch purgatory): a fetch that found less than its MinBytes
/// is parked here, watching each of its partitions, until an append moves one of their high
/// watermarks far enough, its MaxWaitMs timer fires, or its connection is closed. Nothing polls:
/// <see cref="OnHighWatermarkAdvanced"/> is the callback the <see cref="LogManager"/> makes after each
/// append (or, in durable mode, fsync), and each parked fetch has one timer from the
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class FetchPurgatory(TimeProvider time)
{
    private readonly ConcurrentDictionary<PartitionLog, Watchers> _watchers = new();
    private int _parked;

    /// <summary>Fetches parked right now.</summary>
    public int ParkedCount => Volatile.Read(ref _parked);

    /// <summary>
    /// Parks a fetch over the partitions of <paramref name="partitions"/> that have a log. The task
    /// completes when they hold <paramref name="minBytes"/> of data beyond their fetch offsets (or one
    /// of them needs the client's attention), or after <paramref name="maxWait"/>; it is cancelled with
    /// <paramref name="cancellationToken"/>. The caller reads the partitions again afterwards.
    /// </summary>
    public Task WaitAsync(FetchPartition[] partitions, int minBytes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var fetch = new DelayedFetch(this, partitions, minBytes);
        Interlocked.Increment(ref _parked);
        foreach (ref readonly var partition in fetch.Partitions)
        {
            if (partition.Log is { } log)
            {
                Watch(log, fetch);
            }
        }
        // An append between the caller's read and the watch above has not woken this fetch: look again.
        if (fetch.IsSatisfied() && fetch.TryClaim())
        {
            fetch.Complete();
            return fetch.Task;
        }
        fetch.Start(maxWait, time, cancellationToken);
        return fetch.Task;
    }

    /// <summary>
    /// The <see cref="LogManager"/>'s high-watermark callback: completes the fetches on
    /// <paramref name="log"/> that now have enough data. Runs on the appending thread, so it is cheap
    /// when nothing waits.
    /// </summary>
    public void OnHighWatermarkAdvanced(PartitionLog log)
    {
        if (Volatile.Read(ref _parked) == 0 || !_watchers.TryGetValue(log, out var watchers))
        {
            return;
        }
        List<DelayedFetch>? completed = null;
        lock (watchers)
        {
            var fetches = watchers.Fetches;
            for (int i = fetches.Count - 1; i >= 0; i--)
            {
                var fetch = fetches[i];
                if (fetch.IsCompleted)
                {
                    RemoveAt(fetches, i);
                }
                else if (fetch.IsSatisfiedAfterAdvance(log))
                {
                    RemoveAt(fetches, i);
                    if (fetch.TryClaim())
                    {
                        (completed ??= []).Add(fetch);
                    }
                }
            }
            RemoveIfEmpty(log, watchers);
        }
        if (completed is not null)
        {
            foreach (var fetch in completed)
            {
                fetch.Complete();
            }
        }
    }

    /// <summary>Removes a completing fetch from every partition it watched.</summary>
    internal void Unwatch(DelayedFetch fetch)
    {
        Interlocked.Decrement(ref _parked);
        foreach (ref readonly var partition in fetch.Partitions)
        {
            if (partition.Log is { } log && _watchers.TryGetValue(log, out var watchers))
            {
                lock (watchers)
                {
                    int index = watchers.Fetches.IndexOf(fetch);
                    if (index >= 0)
                    {
                        RemoveAt(watchers.Fetches, index);
                    }
                    RemoveIfEmpty(log, watchers);
                }
            }
        }
    }

    private void Watch(PartitionLog log, DelayedFetch fetch)
    {
        while (true)
        {
            var watchers = _watchers.GetOrAdd(log, static _ => new Watchers());
            lock (watchers)
            {
                // A list emptied and removed meanwhile must not take new fetches: add to a fresh one.
                if (!watchers.Removed)
                {
                    watchers.Fetches.Add(fetch);
                    return;
                }
            }
        }
    }

    /// <summary>Under the watchers' lock: drops the list once empty, so deleted partitions are not kept.</summary>
    private void RemoveIfEmpty(PartitionLog log, Watchers watchers)
    {
        if (watchers.Fetches.Count == 0 && !watchers.Removed)
        {
            watchers.Removed = true;
            _watchers.TryRemove(new KeyValuePair<PartitionLog, Watchers>(log, watchers));
        }
    }

    /// <summary>Order does not matter, so the last element fills the gap.</summary>
    private static void RemoveAt(List<DelayedFetch> fetches, int index)
    {
        int last = fetches.Count - 1;
        fetches[index] = fetches[last];
        fetches.RemoveAt(last);
    }

    private sealed class Watchers
    {
        public List<DelayedFetch> Fetches { get; } = [];

        public bool Removed { get; set; }
    }
}
