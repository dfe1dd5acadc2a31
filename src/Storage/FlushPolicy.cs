using System.Threading.Channels;

namespace KafkaSharp.Storage;

/// <summary>
/// Decides when a partition log is fsynced, and fsyncs it on a background flusher so appends never
/// wait for the disk. A log is flushed when
/// <list type="bullet">
/// <item>the offsets appended since its last flush reach <c>flush.messages</c>;</item>
/// <item>its last flush is older than <c>flush.ms</c> (checked by <see cref="FlushIfDue"/> every
/// <c>log.flush.scheduler.interval.ms</c>);</item>
/// <item>it rolled a segment (as Kafka does, so recovery points advance segment by segment);</item>
/// <item>always, in durable mode, where the high watermark is the flushed offset and producers wait
/// for it: appends arriving during one fsync are flushed together by the next (group commit).</item>
/// </list>
/// Kafka's defaults leave flushing to the operating system.
/// </summary>
internal sealed class FlushPolicy : IAsyncDisposable
{
    private readonly Channel<PartitionLog> _requests =
        Channel.CreateUnbounded<PartitionLog>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<string> _report;
    private readonly Task _flusher;

    public FlushPolicy(bool durable, Action<string> report)
    {
        Durable = durable;
        _report = report;
        _flusher = Task.Run(RunAsync);
    }

    /// <summary>When true, the high watermark only covers fsynced data and every append asks for a flush.</summary>
    public bool Durable { get; }

    /// <summary>Called after each append (outside the partition lock).</summary>
    public void OnAppend(PartitionLog log, bool rolled)
    {
        if (Durable || rolled || log.LogEndOffset - log.RecoveryPoint >= log.Config.FlushMessages)
        {
            Request(log);
        }
    }

    /// <summary>Requests a flush if <c>flush.ms</c> has passed since the last one and there is unflushed data.</summary>
    public void FlushIfDue(PartitionLog log, long nowMs)
    {
        if (log.LogEndOffset > log.RecoveryPoint && nowMs - log.LastFlushMs >= log.Config.FlushMs)
        {
            Request(log);
        }
    }

    public void Request(PartitionLog log)
    {
        if (Interlocked.Exchange(ref log.FlushRequested, 1) == 0)
        {
            _requests.Writer.TryWrite(log);
        }
    }

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var log))
            {
                Volatile.Write(ref log.FlushRequested, 0);
                try
                {
                    log.Flush();
                }
                catch (IOException e)
                {
                    _report($"Flushing {log.TopicPartition} failed: {e.Message}");
                }
            }
        }
    }

    /// <summary>Stops the flusher after the requests already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _flusher.ConfigureAwait(false);
    }
}
