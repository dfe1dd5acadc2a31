using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace KafkaSharp.CompatTests;

/// <summary>
/// A Confluent.Kafka group member polled on its own thread, as an application would run it: it
/// records what it reads, its assignment as the rebalance callbacks report it (assigned and revoked
/// partitions, incremental ones for cooperative assignors), and commits when asked (on the polling thread).
/// </summary>
public sealed class GroupConsumer : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _commitRequests = new();
    private readonly object _assignmentLock = new();
    private readonly HashSet<TopicPartition> _assignment = [];
    private readonly Thread _thread;
    private Exception? _failure;
    private bool _closed;

    public GroupConsumer(string name, ConsumerConfig config, string topic)
    {
        Name = name;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.UnionWith(partitions);
                    Assigned.Add([.. partitions]);
                }
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                    Revoked.Add([.. partitions.Select(p => p.TopicPartition)]);
                }
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                    Lost.Add([.. partitions.Select(p => p.TopicPartition)]);
                }
            })
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }

    public ConcurrentQueue<ConsumeResult<byte[]?, byte[]?>> Records { get; } = new();

    /// <summary>Each assigned-callback's partitions, in order.</summary>
    public ConcurrentBag<TopicPartition[]> Assigned { get; } = [];

    /// <summary>Each revoked-callback's partitions.</summary>
    public ConcurrentBag<TopicPartition[]> Revoked { get; } = [];

    public ConcurrentBag<TopicPartition[]> Lost { get; } = [];

    public string MemberId => _consumer.MemberId;

    public TopicPartition[] Assignment
    {
        get
        {
            lock (_assignmentLock)
            {
                return [.. _assignment.OrderBy(p => p.Partition.Value)];
            }
        }
    }

    /// <summary>Commits the positions of the current assignment (what was read), on the polling thread.</summary>
    public Task CommitAsync()
    {
        var request = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commitRequests.Enqueue(request);
        return request.Task.WaitAsync(Timeout);
    }

    /// <summary>Waits until the callbacks report exactly <paramref name="count"/> partitions (and the group agrees for a moment).</summary>
    public void WaitForAssignment(int count)
    {
        var watch = Stopwatch.StartNew();
        while (Assignment.Length != count)
        {
            ThrowIfFailed();
            Assert.True(watch.Elapsed < Timeout, $"{Name}: assignment {Show(Assignment)} did not reach {count} partitions within {Timeout.TotalSeconds} s");
            Thread.Sleep(20);
        }
    }

    /// <summary>Stops polling, then closes (commits nothing; leaves the group unless static).</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        ThrowIfFailed();
    }

    public void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException($"{Name} failed while polling", _failure);
        }
    }

    public void Dispose()
    {
        if (!_closed)
        {
            _closed = true;
            _stop.Cancel();
            _thread.Join();
            _consumer.Close();
        }
        _consumer.Dispose();
        _stop.Dispose();
    }

    public static string Show(IEnumerable<TopicPartition> partitions) => "[" + string.Join(",", partitions.Select(p => p.Partition.Value)) + "]";

    private void Poll()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result is not null && !result.IsPartitionEOF)
                {
                    Records.Enqueue(result);
                }
                while (_commitRequests.TryDequeue(out var request))
                {
                    try
                    {
                        _consumer.Commit();
                        request.SetResult();
                    }
                    catch (KafkaException e)
                    {
                        request.SetException(e);
                    }
                }
            }
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }
}
