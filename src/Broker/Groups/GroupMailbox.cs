using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The actor of one group: work posted from any thread runs one item at a time, in posting order,
/// on the thread pool. An idle group holds no thread and no timer, only an empty queue; a busy group
/// gives its thread back after <see cref="BatchLimit"/> items, so one group cannot starve others.
/// </summary>
/// <remarks>
/// Not a <c>Channel&lt;T&gt;</c> with a reader loop, as the design first had it: that would keep a
/// pending read (and its task) per group, idle or not. Here a group is scheduled only while it has work.
/// </remarks>
internal sealed partial class GroupMailbox(ClassicGroup group, ILogger logger) : IThreadPoolWorkItem
{
    private const int BatchLimit = 64;

    private readonly ConcurrentQueue<GroupWork> _queue = new();
    private int _scheduled;

    public void Post(GroupWork work)
    {
        _queue.Enqueue(work);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (int i = 0; i < BatchLimit && _queue.TryDequeue(out var work); i++)
        {
            try
            {
                work.Execute(group);
            }
            catch (Exception e)
            {
                // A bug: the group may be half-changed. Its caller gets the exception (its connection
                // is closed and the error logged there); the group keeps serving.
                LogWorkFailed(logger, e, group.GroupId, work.GetType().Name);
                work.Fail(e);
            }
        }
        Volatile.Write(ref _scheduled, 0);
        // Work posted after the last TryDequeue saw _scheduled == 1 and did not schedule: do it here.
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group {GroupId}: {Work} failed")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception, string groupId, string work);
}

/// <summary>A piece of work for one group's <see cref="GroupMailbox"/>.</summary>
internal abstract class GroupWork
{
    /// <summary>Runs on the group's mailbox: the only place the group may be read or changed.</summary>
    public abstract void Execute(ClassicGroup group);

    /// <summary>Called when <see cref="Execute"/> threw: fails whatever the work's caller awaits (deadlines have no caller).</summary>
    public virtual void Fail(Exception exception)
    {
    }
}

/// <summary>Work whose caller awaits a result.</summary>
internal abstract class GroupWork<TResult> : GroupWork
{
    /// <summary>Continuations run on the thread pool, never inside the mailbox.</summary>
    public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception exception) => Completion.TrySetException(exception);
}
